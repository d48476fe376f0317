package dev.hangar.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeployTest {
    static final String DIGEST = "sha256:" + "a".repeat(64);

    @Test
    void digestFormParses() {
        var oci = Deploy.OciRef.parse("127.0.0.1:5000/examples/echo@" + DIGEST);
        assertEquals("127.0.0.1:5000/examples/echo", oci.repository());
        assertEquals(DIGEST, oci.digest());
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:5000/examples/echo:latest", "127.0.0.1:5000/examples/echo", "echo@sha256:abc", ""})
    void tagsAndShortDigestsAreRefusedShowingTheDigestForm(String text) {
        var e = assertThrows(HangarException.class, () -> Deploy.OciRef.parse(text));
        assertEquals(ErrorCode.ERR_OPTION_INVALID, e.code());
        assertTrue(e.getMessage().contains("@sha256:<64 hex digits>"), e.getMessage());
    }

    @Test
    void aTagShowsItsRepositoryInTheDigestForm() {
        var e = assertThrows(HangarException.class, () -> Deploy.OciRef.parse("127.0.0.1:5000/examples/echo:v1"));
        assertTrue(e.getMessage().contains("127.0.0.1:5000/examples/echo@sha256:"), e.getMessage());
    }

    @Test
    void namesPerEnvironment() {
        var ref = ProcessorRef.parse("examples/echo@3");
        assertEquals("examples-echo-v3", Deploy.name(ref, "prod", "feature/x", "alice"));
        assertEquals("examples-echo-v3", Deploy.name(ref, "staging", null, "alice"));
        assertEquals("examples-echo-dev-feature-x-alice", Deploy.name(ref, "dev", "Feature/X", "alice"));
        assertEquals("examples/echo@3:dev", Deploy.key(ref, "dev"));
    }

    @Test
    void envAndMinWarmRules() {
        assertEquals(ErrorCode.ERR_OPTION_INVALID, assertThrows(HangarException.class, () -> Deploy.requireEnv("qa")).code());
        assertEquals(ErrorCode.ERR_OPTION_INVALID, assertThrows(HangarException.class, () -> Deploy.requireMinWarm(33)).code());
        assertEquals(0, Deploy.requireMinWarm(null));
    }

    @Test
    void secretValuesNeverShowInToString() {
        var sync = new Deploy.SecretSync("a/b@1", "dev", java.util.Map.of("K", "canary-value"), null, null);
        assertTrue(!sync.toString().contains("canary-value"));
    }

    @Test
    void aPlacementSilentForLongerThanStaleAfterIsUnhealthyAndItsWarmContainersNoLongerCount() {
        var now = java.time.Instant.parse("2026-12-01T12:00:00Z");
        var stale = java.time.Duration.ofSeconds(30);
        var ok = Deploy.health(Deploy.EventType.VERIFIED, 2, 2, now.minusSeconds(29), now, stale);
        var silent = Deploy.health(Deploy.EventType.VERIFIED, 2, 2, now.minusSeconds(31), now, stale);
        assertEquals(Deploy.Health.HEALTHY, ok);
        assertEquals(Deploy.Health.UNHEALTHY, silent);
        assertEquals(Deploy.Health.DEGRADED, Deploy.health(Deploy.EventType.VERIFIED, 1, 2, now, now, stale));
        assertEquals(Deploy.Health.DEGRADED, Deploy.health(Deploy.EventType.DEPLOYED, 0, 0, now, now, stale));
        assertEquals(Deploy.Health.UNHEALTHY, Deploy.health(Deploy.EventType.FAILED, 0, 0, now, now, stale));

        var ref = ProcessorRef.parse("examples/echo@1");
        var live = new Deploy.Placement("a", Deploy.EventType.VERIFIED, DIGEST, 2, now, null, now, ok);
        var dead = new Deploy.Placement("b", Deploy.EventType.VERIFIED, DIGEST, 2, now, null, now.minusSeconds(31), silent);
        var both = new Deploy.Deployment("examples-echo-v1", ref, "staging", "r@" + DIGEST, DIGEST, 2, null, "alice",
                Deploy.Status.VERIFIED, now, now, java.util.List.of(live, dead));
        assertEquals(2, both.warm(), "the silent executor's 2 are not counted");
        assertEquals(Deploy.Health.HEALTHY, both.health());
        var onlyDead = new Deploy.Deployment("examples-echo-v1", ref, "staging", "r@" + DIGEST, DIGEST, 2, null, "alice",
                Deploy.Status.VERIFIED, now, now, java.util.List.of(dead));
        assertEquals(0, onlyDead.warm());
        assertEquals(Deploy.Health.UNHEALTHY, onlyDead.health());
        assertTrue(Json.write(onlyDead).contains("\"health\":\"unhealthy\""), Json.write(onlyDead));
        assertEquals(onlyDead, Json.read(Json.write(onlyDead), Deploy.Deployment.class), "warm and health are read-only on the wire");
    }
}
