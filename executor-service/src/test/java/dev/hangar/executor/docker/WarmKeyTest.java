package dev.hangar.executor.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.executor.service.RunPlan;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which runs share a warm container: per training session where the scope is {@code session} (docs/training-sessions.md). */
class WarmKeyTest {
    static final String IMAGE = "127.0.0.1:5000/t/s@sha256:" + "a".repeat(64);

    static RunPlan plan(String scope) {
        var limits = new ProcessorSpec.Resources(1.0, 512, 0, 60);
        var spec = new ProcessorSpec(ProcessorRef.parse("t/s@1"), "t", "127.0.0.1:5000/t/s", Map.of(), limits, List.of(),
                Json.MAPPER.createObjectNode(), List.of(), null, null, new ProcessorSpec.Warm(0, 1, 1, 60, scope));
        return new RunPlan(spec, IMAGE, "/artifacts/x/{execution_id}/", Json.MAPPER.createObjectNode(), true, limits, Map.of(),
                Map.of(), false);
    }

    @Test
    void eachSessionHasAGroupOfItsOwnAndItsOwnersRunsNeverMeetAnotherOwners() {
        var plan = plan("session");
        var a = WarmKey.of(plan, Mode.MOCK, "alice", "ts_" + "a".repeat(24));
        var b = WarmKey.of(plan, Mode.MOCK, "alice", "ts_" + "b".repeat(24));
        assertEquals(a, WarmKey.of(plan, Mode.MOCK, "alice", "ts_" + "a".repeat(24)), "a session's runs share its group");
        assertNotEquals(a, b, "two sessions never share a container");
        assertNotEquals(a.label(), b.label());
        assertNotEquals(a, WarmKey.of(plan, Mode.MOCK, "bob", "ts_" + "a".repeat(24)), "the owner stays in the key");
        assertNull(WarmKey.of(plan, Mode.MOCK, "alice", null), "a session processor's run of no session runs cold");
        assertNull(WarmKey.of(plan, Mode.MOCK, null, "ts_" + "a".repeat(24)), "nor one with no owner");
    }

    @Test
    void otherScopesIgnoreTheSession() {
        var plan = plan("owner");
        assertEquals(WarmKey.of(plan, Mode.MOCK, "alice", "ts_" + "a".repeat(24)), WarmKey.of(plan, Mode.MOCK, "alice", null));
        assertNull(WarmKey.of(plan, Mode.MOCK, "alice", "ts_" + "a".repeat(24)).session());
    }
}
