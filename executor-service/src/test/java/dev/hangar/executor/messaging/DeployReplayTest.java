package dev.hangar.executor.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.ProcessorRef;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which commands a starting executor applies from the topic's start: the newest of each deployment, whatever their order there. */
class DeployReplayTest {
    static final Instant T = Instant.parse("2026-12-04T12:00:00Z");

    @Test
    void theNewestCommandOfEachDeploymentWinsWhereverItWasRead() {
        var v1 = command("staging", "echo", "ns/echo@1", T);
        var v2 = command("staging", "echo", "ns/echo@2", T.plusSeconds(5));
        var prod = command("prod", "echo", "ns/echo@1", T.plusSeconds(1));
        var other = command("staging", "other", "ns/other@1", T.plusSeconds(2));
        // from three partitions: the newer one of staging/echo read before the older one
        assertEquals(List.of(v2, prod, other), List.copyOf(DeployReplay.newestPerDeployment(List.of(v2, prod, v1, other))));
        assertEquals(List.of(v2, prod, other), List.copyOf(DeployReplay.newestPerDeployment(List.of(v1, prod, v2, other))));
    }

    @Test
    void ofTwoMadeAtOnceOrWithoutATimeTheLaterReadWins() {
        var first = command("staging", "echo", "ns/echo@1", T);
        var second = command("staging", "echo", "ns/echo@2", T);
        assertEquals(List.of(second), List.copyOf(DeployReplay.newestPerDeployment(List.of(first, second))));
        var untimed = command("staging", "echo", "ns/echo@3", null);
        assertEquals(List.of(first), List.copyOf(DeployReplay.newestPerDeployment(List.of(untimed, first))));
        assertEquals(List.of(), List.copyOf(DeployReplay.newestPerDeployment(List.of())));
    }

    private static Deploy.Command command(String env, String name, String ref, Instant at) {
        return new Deploy.Command(Deploy.SCHEMA_VERSION, name, ProcessorRef.parse(ref), env,
                "127.0.0.1:5000/ns/echo@sha256:" + "a".repeat(64), 1, null, "alice", at, null);
    }
}
