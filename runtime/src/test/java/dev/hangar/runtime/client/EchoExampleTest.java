package dev.hangar.runtime.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.SpecValidator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** examples/processors/echo on the host runtime: deterministic output, and a spec that agrees with the code. */
class EchoExampleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path ECHO = RuntimeProcess.EXAMPLES.resolve("echo");
    static final String INPUT = """
            {"schema":"v1","params":{"messages":[
              {"role":"system","content":"be brief"},
              {"role":"user","content":"héllo there"}]}}""";
    static final String EXPECTED_OUTPUT_JSON = "{\"messages\":[{\"content\":\"be brief\",\"role\":\"system\"},"
            + "{\"content\":\"héllo there\",\"role\":\"user\"},{\"content\":\"Echo: héllo there\",\"role\":\"assistant\"}],"
            + "\"reply\":\"Echo: héllo there\",\"schema\":\"v1\"}\n";

    @TempDir
    static Path dir;
    static RuntimeProcess runtime;

    @BeforeAll
    static void start() throws Exception {
        runtime = RuntimeProcess.startFile(dir, ECHO.resolve("predict.py"), Map.of()).awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        runtime.close();
    }

    @Test
    void outputJsonIsByteIdenticalAcrossRuns() throws Exception {
        List<StreamEvent> events = new ArrayList<>();
        Prediction first = runtime.client.predict("echo-1", JSON.readTree(INPUT), events::add);
        byte[] firstBytes = Files.readAllBytes(runtime.outputs.resolve("output.json"));
        Prediction second = runtime.client.predict("echo-2", JSON.readTree(INPUT), e -> { });
        byte[] secondBytes = Files.readAllBytes(runtime.outputs.resolve("output.json"));

        assertTrue(first.succeeded() && second.succeeded(), first.raw().toString());
        assertArrayEquals(firstBytes, secondBytes);
        assertEquals(EXPECTED_OUTPUT_JSON, new String(firstBytes, StandardCharsets.UTF_8));
        assertEquals(JSON.readTree(EXPECTED_OUTPUT_JSON), first.output());
        assertEquals("echoing 2 message(s)\n", first.logs());
        String streamed = events.stream().filter(e -> e.type().equals("token"))
                .map(e -> e.data().path("text").asText()).reduce("", String::concat);
        assertEquals("Echo: héllo there", streamed);
        assertEquals(1.0, events.stream().filter(e -> e.type().equals("progress")).reduce((a, b) -> b).orElseThrow()
                .data().path("fraction").asDouble());
    }

    @Test
    void hangarYamlIsAValidSpecWhoseSchemaIsTheRuntimes() throws Exception {
        ProcessorSpec spec = Json.YAML.readValue(ECHO.resolve("hangar.yaml").toFile(), ProcessorSpec.class);
        SpecValidator.requireValidSpec(spec);

        assertEquals("examples/echo@1", spec.ref().toString());
        assertEquals("127.0.0.1:5000/examples/echo", spec.image());
        assertTrue(spec.digests().isEmpty(), "digests are pinned by hangar push, not written by hand");
        assertEquals(List.of("output.json"), spec.outputs().stream().map(ProcessorSpec.OutputDecl::name).toList());
        assertEquals(spec.inputsSchema(), runtime.client.openapi().path("components").path("schemas").path("Input"),
                "hangar.yaml and predict.py declare the same input schema");

        JsonNode good = JSON.readTree(INPUT);
        assertTrue(SpecValidator.inputErrors(spec.inputsSchema(), good).isEmpty());
        for (String bad : List.of(
                "{\"schema\":\"v2\",\"params\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}",
                "{\"schema\":\"v1\",\"params\":{\"messages\":[]}}",
                "{\"schema\":\"v1\",\"params\":{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}}",
                "{\"schema\":\"v1\",\"params\":{\"messages\":[{\"role\":\"user\"}]}}",
                "{\"schema\":\"v1\",\"params\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]},\"extra\":1}")) {
            assertFalse(SpecValidator.inputErrors(spec.inputsSchema(), JSON.readTree(bad)).isEmpty(), "rejects " + bad);
        }
    }
}
