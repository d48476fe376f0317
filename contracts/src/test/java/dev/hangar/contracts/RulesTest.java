package dev.hangar.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The validation rules every side calls: one place each, one test each. */
class RulesTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "Team-A", "a b", "x/y", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void aBadPlanKeyIsRefused(String key) {
        var e = assertThrows(HangarException.class, () -> Plan.requireKey(key));
        assertEquals(ErrorCode.ERR_OPTION_INVALID, e.code());
        assertTrue(e.getMessage().contains("a-z, 0-9"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "dlq", "-gpu", "GPU-a", "gpu_a", "gpu.a", "gpu a", "a234567890123456789012345678901x"})
    void aBadPoolNameIsRefusedEverywhere(String pool) {
        var e = assertThrows(HangarException.class, () -> PoolName.requireValid(pool));
        assertEquals(ErrorCode.ERR_OPTION_INVALID, e.code());
        assertTrue(e.getMessage().contains("lower-case letters, digits and dashes") || e.getMessage().contains("reserved"),
                e.getMessage());
        assertThrows(HangarException.class, () -> Topics.runsRequested(pool));
        var opts = assertThrows(HangarException.class, () -> AdapterOptions.parse(Json.MAPPER.createObjectNode().put("pool", pool)));
        assertEquals(ErrorCode.ERR_OPTION_INVALID, opts.code());
    }

    @Test
    void aPoolHasItsOwnTopicAndGroup() {
        assertEquals("hangar.runs.requested.gpu-a", Topics.runsRequested("gpu-a"));
        assertEquals("hangar-executor-gpu-a", Topics.poolGroup("gpu-a"));
        assertTrue(Topics.isRunCommands(Topics.runsRequested("gpu-a")) && Topics.isRunCommands(Topics.RUNS_REQUESTED));
        assertTrue(!Topics.isRunCommands(Topics.RUNS_REQUESTED_DLQ) && !Topics.isRunCommands(Topics.RUNS_EVENTS));
        assertEquals("a23456789012345678901234567890x", PoolName.requireValid("a23456789012345678901234567890x"));
        var o = AdapterOptions.parse(Json.MAPPER.createObjectNode().put("pool", "gpu-a").put("capacity_wait_seconds", 5));
        assertEquals("gpu-a", o.pool());
        assertEquals(5, o.capacityWaitSeconds());
        var e = assertThrows(HangarException.class,
                () -> AdapterOptions.parse(Json.MAPPER.createObjectNode().put("capacity_wait_seconds", 0)));
        assertEquals("adapter_opts.capacity_wait_seconds must be 1 to 86400", e.getMessage());
    }

    @Test
    void goodKeysPass() {
        assertEquals("team-a.v2_x", Plan.requireKey("team-a.v2_x"));
        assertEquals("Order:42-retry.1", RunRequest.requireIdempotencyKey("Order:42-retry.1"));
        assertNull(RunRequest.requireIdempotencyKey(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "ä", "x/y"})
    void aBadIdempotencyKeyIsRefused(String key) {
        assertEquals(ErrorCode.ERR_OPTION_INVALID,
                assertThrows(HangarException.class, () -> RunRequest.requireIdempotencyKey(key)).code());
    }

    @Test
    void secretNamesAndSizes() {
        assertEquals("OPENAI_API_KEY", SecretValue.requireName("OPENAI_API_KEY"));
        for (String bad : new String[] {null, "", "lower", "1ABC", "A-B", "A".repeat(65)}) {
            assertEquals(ErrorCode.ERR_SECRET_INVALID, assertThrows(HangarException.class, () -> SecretValue.requireName(bad)).code());
        }
        assertEquals("x", SecretValue.requireValue("K", "x"));
        var empty = assertThrows(HangarException.class, () -> SecretValue.requireValue("K", ""));
        assertTrue(empty.getMessage().contains("0 bytes"), empty.getMessage());
        String big = "x".repeat(SecretValue.MAX_VALUE_BYTES + 1);
        var tooBig = assertThrows(HangarException.class, () -> SecretValue.requireValue("K", big));
        assertTrue(!tooBig.getMessage().contains(big.substring(0, 10)) && tooBig.getMessage().contains("65537 bytes"));
    }

    @Test
    void limitsHaveOneRangeRule() {
        assertEquals(Map.of(), ProcessorSpec.Resources.problems(1.0, 512, 0, 300));
        var all = ProcessorSpec.Resources.problems(0.0, 8, -1, 0);
        assertEquals(java.util.List.of("cpu", "memory_mb", "gpus", "timeout_seconds"), java.util.List.copyOf(all.keySet()));
        var e = assertThrows(HangarException.class, () -> ProcessorSpec.Resources.requireTimeout("--timeout", 86_401));
        assertEquals("--timeout must be between 1 and 86400 seconds, got 86401", e.getMessage());
        var opts = assertThrows(HangarException.class, () -> AdapterOptions.parse(Json.MAPPER.createObjectNode().put("memory_mb", 8)));
        assertEquals("adapter_opts.memory_mb must be between 16 and 1048576", opts.getMessage());
    }

    @Test
    void adapterOptionKeysAreTheRecordsComponents() {
        var components = Arrays.stream(AdapterOptions.class.getRecordComponents())
                .map(c -> c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT)).toList();
        assertEquals(components, AdapterOptions.KEYS);
    }

    @Test
    void oneDigestRule() {
        String digest = "sha256:" + "a".repeat(64);
        assertTrue(ContentId.isValid(digest));
        assertTrue(LocalBuild.isImageId(digest));
        for (String bad : new String[] {null, "sha256:" + "A".repeat(64), "sha256:abc", "md5:" + "a".repeat(64)}) {
            assertEquals(false, ContentId.isValid(bad));
        }
        assertEquals(ErrorCode.ERR_BAD_REQUEST,
                assertThrows(HangarException.class, () -> ContentId.require("digest", "latest", ErrorCode.ERR_BAD_REQUEST)).code());
    }
}
