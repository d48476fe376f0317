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
}
