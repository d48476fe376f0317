package dev.hangar.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {

    private final ProcessorSpec spec = spec();

    private static ProcessorSpec spec() {
        try {
            return Json.MAPPER.treeToValue(GoldenJsonTest.read("processor-spec.json"), ProcessorSpec.class);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void validInputsPass() {
        SpecValidator.requireValidInputs(spec, json("{\"schema\":\"v1\",\"params\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}}"));
    }

    @Test
    void everyViolationIsListedByPointer() {
        var e = assertThrows(HangarException.class, () -> SpecValidator.requireValidInputs(spec,
                json("{\"schema\":\"v2\",\"params\":{\"messages\":[{\"role\":\"robot\"}]}}")));
        assertEquals(ErrorCode.ERR_INPUT_INVALID, e.code());
        var paths = e.errors().stream().map(Problem.FieldError::path).toList();
        assertTrue(paths.contains("/schema"), paths.toString());
        assertTrue(paths.contains("/params/messages/0/role"), paths.toString());
        assertTrue(paths.contains("/params/messages/0/content"), paths.toString());
    }

    @Test
    void theGoldenSpecIsValidAndABrokenOneListsItsProblems() {
        SpecValidator.requireValidSpec(spec);
        var broken = new ProcessorSpec(spec.ref(), null, "Not An Image", java.util.Map.of("riscv", "md5:x"),
                new ProcessorSpec.Resources(0, 1, 0, 0), null, null, null);
        var e = assertThrows(HangarException.class, () -> SpecValidator.requireValidSpec(broken));
        assertEquals(ErrorCode.ERR_SPEC_INVALID, e.code());
        var paths = e.errors().stream().map(Problem.FieldError::path).toList();
        assertTrue(paths.containsAll(java.util.List.of("/image", "/digests/riscv", "/runtime/cpu",
                "/runtime/memory_mb", "/runtime/timeout_seconds", "/inputs_schema")), paths.toString());
    }

    @Test
    void aRetryPolicyOutOfRangeIsRefusedAndAMissingOneIsTheDefault() {
        assertEquals(ProcessorSpec.Retry.DEFAULT, spec.withDigests(java.util.Map.of()).retryPolicy());
        assertEquals(new ProcessorSpec.Retry(3, 5), Json.read("{}", ProcessorSpec.Retry.class), "left-out keys take defaults");
        var tooMany = new ProcessorSpec(spec.ref(), spec.description(), spec.image(), spec.digests(), spec.runtime(),
                spec.secrets(), spec.inputsSchema(), spec.outputs(), null, new ProcessorSpec.Retry(0, -1));
        var e = assertThrows(HangarException.class, () -> SpecValidator.requireValidSpec(tooMany));
        var paths = e.errors().stream().map(Problem.FieldError::path).toList();
        assertEquals(java.util.List.of("/retry/max_attempts", "/retry/backoff_seconds"), paths);
        assertTrue(ProcessorSpec.Retry.retries(ErrorCode.ERR_CONTAINER_FAILED));
        assertTrue(!ProcessorSpec.Retry.retries(ErrorCode.ERR_PROCESSOR_FAILED), "a processor error is final");
    }

    @Test
    void unpinnedPlatformNamesWhatIsPinned() {
        var e = assertThrows(HangarException.class, () -> spec.pinnedImage(Platform.ARM64));
        assertEquals(ErrorCode.ERR_IMAGE_UNPINNED, e.code());
        assertTrue(e.getMessage().contains("amd64"), e.getMessage());
    }

    @Test
    void theAllowListTakesExactHostPortPairsOnly() throws Exception {
        var withNetwork = Json.MAPPER.treeToValue(GoldenJsonTest.read("processor-spec-network.json"), ProcessorSpec.class);
        SpecValidator.requireValidSpec(withNetwork);
        var net = withNetwork.egress();
        assertTrue(net.allows("API.OpenAI.com", 443), "host names compare case-insensitively");
        assertTrue(net.allows("[fd00::1]", 443));
        assertTrue(!net.allows("api.openai.com", 80) && !net.allows("openai.com", 443) && !net.allows("127.0.0.1", 443),
                "only the exact pairs");
        assertTrue(net.endpoints().get(1).literal() && !net.endpoints().get(0).literal());
        assertEquals(ProcessorSpec.Network.NONE, spec.egress(), "no network key: no egress");

        var bad = java.util.List.of("*.openai.com:443", "https://api.openai.com:443", "api.openai.com", "host:0",
                "host:70000", "10.0.0.1:80/x", "1.2.3:80", ":443", "a b:1", "[::1:443");
        var broken = new ProcessorSpec(spec.ref(), null, spec.image(), spec.digests(), spec.runtime(), null,
                spec.inputsSchema(), null, new ProcessorSpec.Network(bad), null);
        var e = assertThrows(HangarException.class, () -> SpecValidator.requireValidSpec(broken));
        assertEquals(ErrorCode.ERR_SPEC_INVALID, e.code());
        var paths = e.errors().stream().map(Problem.FieldError::path).toList();
        for (int i = 0; i < bad.size(); i++) {
            assertTrue(paths.contains("/network/allow/" + i), bad.get(i) + " must be refused: " + paths);
        }
        var tooMany = new ProcessorSpec.Network(java.util.stream.IntStream.range(0, 65).mapToObj(i -> "h" + i + ":1").toList());
        assertTrue(tooMany.problems().containsKey("/network/allow"));
    }

    @Test
    void warmSettingsOutOfRangeAreRefusedFieldByFieldAndAMissingBlockMeansNoWarmPool() throws Exception {
        assertFalse(spec.warmPool().enabled(), "no warm key: no warm pool, every run starts its own container");
        var warm = Json.MAPPER.treeToValue(GoldenJsonTest.read("processor-spec-warm.json"), ProcessorSpec.class);
        SpecValidator.requireValidSpec(warm);
        assertEquals(new ProcessorSpec.Warm(1, 4, 2, 120, "shared"), warm.warm());
        assertTrue(warm.warmPool().enabled() && warm.warmPool().shared());
        assertEquals(new ProcessorSpec.Warm(0, 1, 1, 300, "owner"), Json.read("{}", ProcessorSpec.Warm.class),
                "left-out keys take defaults: one container per owner, one run at a time");

        java.util.Map<ProcessorSpec.Warm, java.util.List<String>> bad = java.util.Map.of(
                new ProcessorSpec.Warm(-1, 33, 0, 0, "everyone"), java.util.List.of("/warm/max_warm", "/warm/min_warm",
                        "/warm/max_concurrency", "/warm/idle_seconds", "/warm/scope"),
                new ProcessorSpec.Warm(3, 2, 65, 86_401, "Owner"), java.util.List.of("/warm/min_warm", "/warm/max_concurrency",
                        "/warm/idle_seconds", "/warm/scope"),
                new ProcessorSpec.Warm(0, -1, 1, 1, "owner"), java.util.List.of("/warm/max_warm", "/warm/min_warm"),
                // a session's state lives in one process that runs its calls in order
                new ProcessorSpec.Warm(1, 2, 2, 60, "session"), java.util.List.of("/warm/max_warm", "/warm/min_warm",
                        "/warm/max_concurrency"));
        bad.forEach((settings, expected) -> {
            var broken = new ProcessorSpec(spec.ref(), null, spec.image(), spec.digests(), spec.runtime(), null,
                    spec.inputsSchema(), null, null, null, settings);
            var e = assertThrows(HangarException.class, () -> SpecValidator.requireValidSpec(broken));
            assertEquals(ErrorCode.ERR_SPEC_INVALID, e.code());
            assertEquals(expected, e.errors().stream().map(Problem.FieldError::path).toList(), settings.toString());
            assertTrue(e.errors().stream().allMatch(f -> f.message().contains("got")), e.errors().toString());
        });
        for (var fine : java.util.List.of(new ProcessorSpec.Warm(0, 0, 1, 1, "owner"), new ProcessorSpec.Warm(32, 32, 64, 86_400, "shared"),
                new ProcessorSpec.Warm(0, 1, 1, 600, "session"))) {
            SpecValidator.requireValidSpec(new ProcessorSpec(spec.ref(), null, spec.image(), spec.digests(), spec.runtime(), null,
                    spec.inputsSchema(), null, null, null, fine));
        }
    }

    @Test
    void serverNamesTheHangarRuntimeOrAnUnmodifiedCogImageWhichRunsCold() throws Exception {
        assertFalse(spec.cogHttp(), "no server key: the Hangar runtime");
        var cog = Json.MAPPER.treeToValue(GoldenJsonTest.read("processor-spec-cog.json"), ProcessorSpec.class);
        SpecValidator.requireValidSpec(cog);
        assertTrue(cog.cogHttp());
        assertEquals("cog-http", cog.withoutDigests().server(), "the server survives re-pinning");

        var unknown = new ProcessorSpec(spec.ref(), null, spec.image(), spec.digests(), spec.runtime(), null,
                spec.inputsSchema(), null, null, null, null, "cog");
        var e = assertThrows(HangarException.class, () -> SpecValidator.requireValidSpec(unknown));
        assertEquals(ErrorCode.ERR_SPEC_INVALID, e.code());
        assertEquals(java.util.List.of("/server"), e.errors().stream().map(Problem.FieldError::path).toList());
        assertTrue(e.getMessage().contains("'hangar' or 'cog-http'"), e.getMessage());

        var warmCog = new ProcessorSpec(spec.ref(), null, spec.image(), spec.digests(), spec.runtime(), null,
                spec.inputsSchema(), null, null, null, new ProcessorSpec.Warm(0, 2, 1, 60, "owner"), "cog-http");
        var w = assertThrows(HangarException.class, () -> SpecValidator.requireValidSpec(warmCog));
        assertEquals(java.util.List.of("/warm"), w.errors().stream().map(Problem.FieldError::path).toList());
        SpecValidator.requireValidSpec(new ProcessorSpec(spec.ref(), null, spec.image(), spec.digests(), spec.runtime(), null,
                spec.inputsSchema(), null, null, null, null, "hangar"));
    }
}
