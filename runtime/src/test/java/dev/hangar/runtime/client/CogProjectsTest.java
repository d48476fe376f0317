package dev.hangar.runtime.client;

import static dev.hangar.runtime.client.CogApiTest.b64;
import static dev.hangar.runtime.client.CogApiTest.bytes;
import static dev.hangar.runtime.client.CogApiTest.health;
import static dev.hangar.runtime.client.CogApiTest.json;
import static dev.hangar.runtime.client.CogApiTest.post;
import static dev.hangar.runtime.client.CogApiTest.sync;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each sample Cog project ({@code src/test/resources/cog-projects}, written in Cog's documented style) run
 * unchanged by the real runtime over TCP, as its image would run it: the entry point from its
 * {@code cog.yaml}, {@code concurrency.max} as {@code COG_MAX_CONCURRENCY}; the schema it serves, a happy
 * prediction, and its failure cases.
 */
class CogProjectsTest {
    private static final Path PROJECTS = Path.of("src/test/resources/cog-projects").toAbsolutePath();
    private static final Pattern ENTRY = Pattern.compile("^(predict|run|train): \"([^\"]+)\"", Pattern.MULTILINE);
    private static final Pattern CONCURRENCY = Pattern.compile("^concurrency:\\s*\\n\\s+max: (\\d+)", Pattern.MULTILINE);

    @TempDir
    Path dir;
    private final List<RuntimeProcess> running = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (RuntimeProcess runtime : running) {
            runtime.close();
        }
    }

    @Test
    void typesChecksEveryConstraintAndMasksTheSecret() throws Exception {
        var runtime = start("types");
        assertServesItsSchema(runtime, "types");

        JsonNode done = sync(runtime, "{\"input\":{\"prompt\":\"world\",\"repeats\":2,\"style\":\"fancy\",\"api_key\":\"sk-abc\"}}");
        assertEquals("succeeded", done.path("status").asText(), done.toString());
        assertEquals(json("{\"text\":\"~ hello world hello world ~\",\"repeats\":2,\"loud\":false,\"tags\":[\"a\"]}"), done.path("output"));
        assertTrue(done.path("logs").asText().contains("api key given: True, printed as **********"), done.toString());
        assertFalse(done.toString().contains("sk-abc"));

        for (String bad : List.of("{\"prompt\":\"\"}", "{\"prompt\":\"x\",\"language\":\"de\"}", "{\"prompt\":\"x\",\"style\":\"odd\"}",
                "{\"prompt\":\"x\",\"code\":\"AB12\"}", "{\"prompt\":\"x\",\"temperature\":2}", "{\"prompt\":\"x\",\"tags\":\"a\"}")) {
            var refused = post(runtime, "{\"input\":" + bad + "}");
            assertEquals(422, refused.status(), bad + " -> " + refused.body());
            assertEquals("input", json(refused.body()).path("detail").path(0).path("loc").path(1).asText(), refused.body());
        }
    }

    @Test
    void fileInputTakesDataUrlsAndFailsOnAnUnreachableUrl() throws Exception {
        var runtime = start("file-input");
        assertServesItsSchema(runtime, "file-input");
        String doc = "data:text/plain;base64," + b64("first line\nsecond\n");
        JsonNode done = sync(runtime, "{\"input\":{\"document\":\"" + doc + "\",\"notes\":\"data:text/plain;base64," + b64("abc") + "\"}}");
        assertEquals("succeeded", done.path("status").asText(), done.toString());
        assertEquals("first line", done.path("output").path("first_line").asText());
        assertEquals(18, done.path("output").path("size").asInt());
        assertEquals(3, done.path("output").path("notes_size").asInt());

        assertEquals(422, post(runtime, "{\"input\":{}}").status(), "document is required");
        int closed = CogApiTest.freePort();
        JsonNode unreachable = sync(runtime, "{\"input\":{\"document\":\"http://127.0.0.1:" + closed + "/doc.txt\"}}");
        assertEquals("failed", unreachable.path("status").asText());
        assertTrue(unreachable.path("error").asText().startsWith("document: could not download http://127.0.0.1"), unreachable.toString());
    }

    @Test
    void pathOutputIsADataUrl() throws Exception {
        var runtime = start("path-output");
        assertServesItsSchema(runtime, "path-output");
        JsonNode done = sync(runtime, "{\"input\":{\"text\":\"hi\",\"copies\":3}}");
        assertEquals("data:text/plain;base64," + b64("hi\nhi\nhi\n"), done.path("output").asText(), done.toString());
        assertEquals(422, post(runtime, "{\"input\":{\"text\":\"hi\",\"copies\":11}}").status());
    }

    @Test
    void streamingStreamsTokensAndCountsThem() throws Exception {
        var runtime = start("streaming");
        assertServesItsSchema(runtime, "streaming");
        List<StreamEvent> events = new ArrayList<>();
        Prediction done = runtime.client().predict("s", json("{\"prompt\":\"hello big world\"}"), events::add);
        assertTrue(done.succeeded(), done.raw().toString());
        assertEquals(List.of("hello ", "big ", "world "), events.stream().filter(e -> e.type().equals("token"))
                .map(e -> e.data().path("text").asText()).toList());
        assertEquals(3, done.raw().path("metrics").path("token_count").asInt());
        assertEquals(3, events.stream().filter(e -> e.type().equals("metric")).count());
        assertEquals(422, post(runtime, "{\"input\":{}}").status());
    }

    @Test
    void asyncRunnerUsesConcurrencyMaxAndItsAsyncSetup() throws Exception {
        var runtime = start("async-runner");
        assertServesItsSchema(runtime, "async-runner");
        assertEquals(4, health(runtime).path("concurrency").path("max").asInt(), "concurrency.max from cog.yaml");
        assertEquals("async hello ada", sync(runtime, "{\"input\":{\"name\":\"ada\"}}").path("output").asText());
        assertEquals(422, post(runtime, "{\"input\":{\"name\":\"ada\",\"delay\":6}}").status());
    }

    @Test
    void failingPredictFailsOnlyTheOddOnes() throws Exception {
        var runtime = start("failing-predict");
        assertServesItsSchema(runtime, "failing-predict");
        assertEquals(2, sync(runtime, "{\"input\":{\"number\":4}}").path("output").asInt());
        JsonNode failed = sync(runtime, "{\"input\":{\"number\":3}}");
        assertEquals("failed", failed.path("status").asText());
        assertEquals("ValueError: odd numbers are not supported: 3", failed.path("error").asText());
        assertTrue(failed.path("logs").asText().contains("Traceback"), failed.toString());
        assertEquals("READY", health(runtime).path("status").asText(), "a failed prediction leaves the model ready");
        assertEquals(422, post(runtime, "{\"input\":{\"number\":1.5}}").status());
    }

    @Test
    void failingSetupIsSetupFailedWithItsTraceback() throws Exception {
        var runtime = launch("failing-setup", Map.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> health(runtime).path("status").asText().equals("SETUP_FAILED"));
        assertTrue(health(runtime).path("setup").path("logs").asText().contains("RuntimeError: weights not found: /src/weights.bin"));
        assertEquals(503, post(runtime, "{\"input\":{\"text\":\"x\"}}").status());
    }

    @Test
    void legacyPredictorWithCogInputDecorators() throws Exception {
        var runtime = start("legacy");
        assertServesItsSchema(runtime, "legacy");
        assertEquals("HIHI!", sync(runtime, "{\"input\":{\"text\":\"Hi\",\"times\":2}}").path("output").asText());
        assertEquals("hi!", sync(runtime, "{\"input\":{\"text\":\"Hi\",\"case\":\"lower\"}}").path("output").asText());
        assertEquals(422, post(runtime, "{\"input\":{\"text\":\"Hi\",\"times\":5}}").status());
        assertEquals(422, post(runtime, "{\"input\":{\"text\":\"Hi\",\"case\":\"title\"}}").status());
    }

    @Test
    void trainingTrainsThenThePredictorLoadsTheWeights() throws Exception {
        var trainer = start("training");
        assertTrue(json(trainer.client().send("GET", "/", Map.of(), null).body()).has("trainings_url"));
        var trained = trainer.client().send("POST", "/trainings", Map.of(),
                bytes("{\"input\":{\"train_data\":\"data:text/plain;base64," + b64("12345") + "\",\"learning_rate\":0.5}}"));
        assertEquals(200, trained.status(), trained.body());
        String weights = json(trained.body()).path("output").path("weights").asText();
        assertEquals("data:text/plain;base64," + b64("trained on 5 bytes at lr=0.5"), weights);
        assertEquals(422, trainer.client().send("POST", "/trainings", Map.of(),
                bytes("{\"input\":{\"train_data\":\"data:,x\",\"learning_rate\":-1}}")).status());

        var predictor = start("training", Map.of("COG_WEIGHTS", weights));
        assertEquals("trained on 5 bytes at lr=0.5: hi", sync(predictor, "{\"input\":{\"prompt\":\"hi\"}}").path("output").asText());
    }

    // --- helpers --------------------------------------------------------------------------------

    private void assertServesItsSchema(RuntimeProcess runtime, String project) throws IOException {
        JsonNode served = json(runtime.client().send("GET", "/openapi.json", Map.of(), null).body()).path("components").path("schemas");
        JsonNode expected = json(Files.readString(PROJECTS.resolve(project).resolve("expected_schema.json")));
        expected.fieldNames().forEachRemaining(name -> assertEquals(expected.get(name), served.get(name), project + ": " + name));
    }

    private RuntimeProcess start(String project) throws IOException {
        return start(project, Map.of());
    }

    private RuntimeProcess start(String project, Map<String, String> env) throws IOException {
        var runtime = launch(project, env);
        await().atMost(Duration.ofSeconds(10)).until(() -> health(runtime).path("status").asText().equals("READY"));
        return runtime;
    }

    /** The project copied as an image holds it in /src, started with what the build derives from cog.yaml. */
    private RuntimeProcess launch(String project, Map<String, String> extra) throws IOException {
        Path home = Files.createDirectories(dir.resolve(project + "-" + running.size()));
        Path src = Files.createDirectories(home.resolve("src"));
        try (var files = Files.list(PROJECTS.resolve(project))) {
            for (Path file : files.toList()) {
                Files.copy(file, src.resolve(file.getFileName()));
            }
        }
        String yaml = Files.readString(src.resolve("cog.yaml"));
        var env = new HashMap<String, String>();
        var entries = ENTRY.matcher(yaml);
        Path predictor = null;
        while (entries.find()) {
            String ref = src.resolve(entries.group(2)).toString();
            if (entries.group(1).equals("train")) {
                env.put("HANGAR_TRAINER", ref);
            } else {
                env.put("HANGAR_PREDICTOR", ref);
                predictor = src.resolve(entries.group(2).split(":")[0]);
            }
        }
        var concurrency = CONCURRENCY.matcher(yaml);
        if (concurrency.find()) {
            env.put("COG_MAX_CONCURRENCY", concurrency.group(1));
        }
        env.putAll(extra);
        int port = CogApiTest.freePort();
        env.put("HANGAR_PORT", Integer.toString(port));
        var runtime = RuntimeProcess.launchWith(home, predictor, env, RuntimeClient.tcp("127.0.0.1", port));
        running.add(runtime);
        return runtime;
    }
}
