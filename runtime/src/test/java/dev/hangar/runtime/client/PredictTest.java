package dev.hangar.runtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prediction API against basic.py: sync, streamed, failed, idempotent, trainings, bad requests. */
class PredictTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static RuntimeProcess runtime;

    @BeforeAll
    static void start() throws Exception {
        runtime = RuntimeProcess.start(dir, "basic", Map.of()).awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        runtime.close();
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static RuntimeClient.RawResponse post(String path, String body, Map<String, String> headers) throws Exception {
        return runtime.client.send("POST", path, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void syncPredictAnswersWithCogsPredictionObject() throws Exception {
        var response = post("/predictions", "{\"id\":\"sync-1\",\"input\":{\"text\":\"hello world\"}}", Map.of());

        assertEquals(200, response.status());
        assertEquals("application/json", response.contentType());
        JsonNode body = json(response.body());
        assertEquals("sync-1", body.path("id").asText());
        assertEquals("succeeded", body.path("status").asText());
        assertEquals("hello world", body.path("output").path("text").asText());
        assertEquals("mock", body.path("output").path("mode").asText(), "HANGAR_MODE defaults to mock");
        assertEquals(json("{\"text\":\"hello world\"}"), body.path("input"));
        assertTrue(body.path("logs").asText().contains("a line on stderr\n"), body.toString());
        assertTrue(body.path("metrics").path("predict_time").isNumber());
        assertTrue(body.hasNonNull("started_at") && body.hasNonNull("completed_at"));
        assertTrue(body.path("error").isNull());
    }

    @Test
    void streamingDeliversLogsTokensAndProgressBeforeDone() throws Exception {
        List<StreamEvent> events = new ArrayList<>();
        Prediction prediction = runtime.client.predict("stream-1", json("{\"text\":\"hello streaming world\"}"), events::add);

        assertTrue(prediction.succeeded(), prediction.raw().toString());
        assertEquals("stream-1", prediction.id());
        List<String> tokens = events.stream().filter(e -> e.type().equals("token")).map(e -> e.data().path("text").asText()).toList();
        assertEquals(List.of("hello", "streaming", "world"), tokens);
        List<Double> fractions = events.stream().filter(e -> e.type().equals("progress"))
                .map(e -> e.data().path("fraction").asDouble()).toList();
        assertEquals(3, fractions.size());
        assertEquals(1.0, fractions.get(2));
        assertEquals("word 3", events.stream().filter(e -> e.type().equals("progress")).toList().get(2).data().path("message").asText());
        StreamEvent stdout = events.get(0);
        assertEquals("log", stdout.type());
        assertEquals("stdout", stdout.data().path("stream").asText());
        assertTrue(stdout.data().path("line").asText().matches("call \\d+: 21 chars"), stdout.toString());
        assertTrue(events.stream().anyMatch(e -> e.type().equals("log") && e.data().path("stream").asText().equals("stderr")
                && e.data().path("line").asText().equals("a line on stderr")));
        assertTrue(runtime.log().contains("a line on stderr"), "still written to the real stderr for docker logs");
    }

    @Test
    void anExceptionInPredictIsAFailedPredictionWithTheError() throws Exception {
        Prediction prediction = runtime.client.predict("fails-1", json("{\"text\":\"boom\",\"fail\":true}"), e -> { });

        assertEquals("failed", prediction.status());
        assertEquals("ValueError: cannot handle 'boom'", prediction.error());
        assertTrue(prediction.logs().contains("Traceback (most recent call last)"), prediction.logs());
        assertTrue(runtime.log().contains("ValueError: cannot handle 'boom'"), "the traceback is on stderr too");
        assertTrue(runtime.client.health().ready(), "a failed prediction leaves the runtime ready");
    }

    @Test
    void putWithTheSameIdRunsOnce() throws Exception {
        JsonNode input = json("{\"text\":\"only once\"}");
        Prediction first = runtime.client.put("put-1", input);
        Prediction again = runtime.client.put("put-1", input);

        assertTrue(first.succeeded());
        assertEquals(first.raw(), again.raw(), "the second PUT returns the first prediction, not a new run");
        int calls = first.output().path("calls").asInt();
        Prediction next = runtime.client.put("put-2", input);
        assertEquals(calls + 1, next.output().path("calls").asInt(), "predict() ran exactly once for put-1");

        var get = runtime.client.send("GET", "/predictions/put-1", Map.of(), null);
        assertEquals(200, get.status());
        assertEquals(first.raw(), json(get.body()));
    }

    @Test
    void trainingsUseTheSamePath() throws Exception {
        var response = post("/trainings", "{\"id\":\"train-1\",\"input\":{\"steps\":3}}", Map.of());

        assertEquals(200, response.status());
        JsonNode body = json(response.body());
        assertEquals("succeeded", body.path("status").asText());
        assertEquals(3, body.path("output").path("trained_steps").asInt());
        assertEquals("training for 3 steps\n", body.path("logs").asText());
        assertEquals(200, runtime.client.send("GET", "/trainings/train-1", Map.of(), null).status());
        assertEquals(404, runtime.client.send("GET", "/predictions/train-1", Map.of(), null).status());
    }

    @Test
    void malformedRequestsAreRejectedWithADetail() throws Exception {
        var malformed = post("/predictions", "{\"input\": {", Map.of());
        assertEquals(400, malformed.status());
        assertTrue(json(malformed.body()).path("detail").asText().startsWith("request body is not valid JSON"), malformed.body());

        assertEquals(400, post("/predictions", "[1,2]", Map.of()).status());
        assertEquals(422, post("/predictions", "{\"input\":\"text\"}", Map.of()).status());
        assertTrue(runtime.client.health().ready(), "nothing was started");
    }

    @Test
    void unknownPathsAndMethodsAndIds() throws Exception {
        var unknownPath = runtime.client.send("GET", "/nope", Map.of(), null);
        assertEquals(404, unknownPath.status());
        assertTrue(json(unknownPath.body()).has("detail"));
        assertEquals(405, runtime.client.send("DELETE", "/predictions", Map.of(), null).status());
        assertEquals(405, runtime.client.send("POST", "/health-check", Map.of(), null).status());
        assertEquals(404, runtime.client.send("GET", "/predictions/never-seen", Map.of(), null).status());
    }

    @Test
    void openapiCarriesTheInputSchema() throws Exception {
        JsonNode openapi = runtime.client.openapi();

        assertTrue(openapi.path("openapi").asText().startsWith("3."));
        assertEquals(json("""
                {"type":"object","required":["text"],"properties":{"text":{"type":"string"},"fail":{"type":"boolean"}},
                 "additionalProperties":false}"""), openapi.path("components").path("schemas").path("Input"));
        JsonNode paths = openapi.path("paths");
        for (String path : List.of("/health-check", "/predictions", "/predictions/{prediction_id}",
                "/predictions/{prediction_id}/cancel", "/trainings")) {
            assertTrue(paths.has(path), "openapi lists " + path);
        }
    }

    @Test
    void inputValuesThatLookSecretAreNeitherEchoedNorLogged() throws Exception {
        // predict() rejects the extra argument, which is fine: the echo and the logs are what matter.
        Prediction prediction = runtime.client.predict("secret-1",
                json("{\"text\":\"hi\",\"hf_token\":\"hf_verysecretvalue\",\"note\":\"sk-alsosecret\"}"), e -> { });

        assertEquals("failed", prediction.status());
        assertEquals("**redacted**", prediction.raw().path("input").path("hf_token").asText());
        assertEquals("**redacted**", prediction.raw().path("input").path("note").asText());
        assertEquals("hi", prediction.raw().path("input").path("text").asText());
        assertFalse(prediction.raw().toString().contains("verysecretvalue"));
        assertFalse(runtime.log().contains("verysecretvalue"));
        assertFalse(runtime.log().contains("alsosecret"));
        assertNull(prediction.raw().get("env"));
    }
}
