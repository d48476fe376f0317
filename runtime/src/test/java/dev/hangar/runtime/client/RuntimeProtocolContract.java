package dev.hangar.runtime.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime protocol: what every server the executor talks to must do, checked through the
 * executor's own {@link RuntimeClient}. One subclass per server (the Python runtime on its unix
 * socket, the same runtime on TCP as a Cog image listens on port 5000, later a hand-written Cog
 * server); a subclass only says how a server is started and reached.
 *
 * <p>The contract, as the Cog HTTP prediction API plus what Hangar adds:
 * <ul>
 *   <li>{@code GET /health-check} answers {@code STARTING} while setup runs, then {@code READY},
 *       or {@code SETUP_FAILED} with setup's output and traceback in {@code setup.logs};
 *       {@code BUSY} while a prediction runs. A prediction before setup ends is refused (503).</li>
 *   <li>{@code POST /predictions} answers when done with Cog's prediction object ({@code id, status,
 *       input, output, error, logs, started_at, completed_at, metrics.predict_time}).
 *       An exception is {@code failed}, {@code error} = {@code "ExcType: message"}, the traceback in
 *       {@code logs}, and the server stays ready. What the processor prints, and the traceback,
 *       also reach the server's own stdout/stderr ({@code docker logs}).</li>
 *   <li>{@code Accept: text/event-stream} streams Cog's events ({@code start}, {@code log}, {@code output},
 *       read by the client as {@code log} and {@code token}) and Hangar's {@code progress} in the order the
 *       processor made them, then {@code completed} with the prediction; a quiet
 *       stream carries keep-alive comments, so the client's read timeout never fires on a slow job.</li>
 *   <li>{@code Prefer: respond-async} answers 202 at once with status {@code starting} (Cog);
 *       {@code GET /predictions/{id}} follows it.</li>
 *   <li>{@code PUT /predictions/{id}} is idempotent: the same id again returns the same prediction
 *       and never runs it twice.</li>
 *   <li>{@code POST /predictions/{id}/cancel} ends a running prediction {@code canceled}, with no
 *       error, whether or not the processor looks at the cancel; an unknown id is 404.</li>
 *   <li>One prediction at a time (the Python runtime's default; see {@link WarmRuntimeTest} for more slots):
 *       another while one runs is 409, and is never created.</li>
 *   <li>Errors are {@code {"detail": ...}}: 422 (Cog's list of {@code {loc, msg, type}}) for a body that is
 *       not JSON or not an object and an {@code input} that is not an object, 404 unknown path or id,
 *       405 wrong method, 409 (Cog's {@code "Already running a prediction"}). Input that is an object but does not fit
 *       the schema is left to the processor here (the Python runtime: a failed prediction).</li>
 *   <li>{@code GET /openapi.json} is OpenAPI 3 with the processor's input schema as
 *       {@code components.schemas.Input}.</li>
 * </ul>
 *
 * <p>It is driven with the {@link TestProcessor}s, whose reference behaviour is the Python files in
 * {@code src/test/resources/processors}; a server that is not the Python runtime implements the same
 * behaviour its own way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class RuntimeProtocolContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WITHIN_SECONDS = Duration.ofSeconds(5);
    /** The file {@link TestProcessor#GATED_SETUP} waits for, in the server's folder. */
    static final String GATE = "gate";

    /** The processors the contract drives, named after their reference file in src/test/resources/processors. */
    public enum TestProcessor {
        /**
         * Input {@code {text, fail?}}: prints a line to stdout and "a line on stderr" to stderr, streams each
         * word as a token with progress, raises {@code ValueError: cannot handle 'text'} when {@code fail},
         * returns {@code {text, calls, mode}}.
         */
        BASIC("basic"),
        /**
         * Input {@code {seconds?, check_flag?}}: prints "started", then is quiet for {@code seconds}; with
         * {@code check_flag} it stops on a cancel and prints "saw the cancel flag". Its server sends a
         * keep-alive at least every 0.2 s.
         */
        SLOW("slow"),
        /** Setup prints "waiting for the gate", waits for the file {@value RuntimeProtocolContract#GATE} in the server's folder, prints "gate open". */
        GATED_SETUP("gated_setup"),
        /** Setup prints "loading weights", then raises {@code RuntimeError: weights file is missing}. */
        FAILING_SETUP("failing_setup");

        final String file;

        TestProcessor(String file) {
            this.file = file;
        }
    }

    /** A started server, listening or about to. */
    public interface Server extends AutoCloseable {
        RuntimeClient client();

        /** Everything the server wrote to its stdout and stderr so far. */
        String log();

        /** Polls the health check until it satisfies {@code condition}; connection errors mean "not yet". */
        default Health awaitHealth(Predicate<Health> condition) {
            return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                    .until(client()::health, condition);
        }

        @Override
        void close() throws Exception;
    }

    /** Starts a server for {@code processor}, working in the empty folder {@code dir}; returns without waiting for setup. */
    protected abstract Server start(TestProcessor processor, Path dir) throws IOException;

    Server basic;
    Server slow;

    @BeforeAll
    void startServers(@TempDir Path dir) throws Exception {
        basic = start(TestProcessor.BASIC, Files.createDirectory(dir.resolve("basic")));
        slow = start(TestProcessor.SLOW, Files.createDirectory(dir.resolve("slow")));
        basic.awaitHealth(Health::ready);
        slow.awaitHealth(Health::ready);
    }

    @AfterAll
    void stopServers() throws Exception {
        try (Server b = basic; Server s = slow) {
            // closed in reverse order, each even if the other fails
        }
    }

    @AfterEach
    void idle() {
        slow.awaitHealth(Health::ready);
    }

    private static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }

    private static RuntimeClient.RawResponse post(Server server, String path, String body, Map<String, String> headers)
            throws IOException {
        return server.client().send("POST", path, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private RuntimeClient.RawResponse startAsync(String id, String input) throws IOException {
        return post(slow, "/predictions", "{\"id\":\"" + id + "\",\"input\":" + input + "}", Map.of("Prefer", "respond-async"));
    }

    /** Polls {@code GET /predictions/{id}} on the slow server until the prediction satisfies {@code condition}. */
    private JsonNode awaitSlow(String id, Predicate<JsonNode> condition) {
        return await().atMost(WITHIN_SECONDS).pollInterval(Duration.ofMillis(20)).until(
                () -> json(slow.client().send("GET", "/predictions/" + id, Map.of(), null).requireSuccess().body()), condition);
    }

    // --- setup and health ----------------------------------------------------------------------

    @Test
    void isStartingWhileSetupRunsThenReady(@TempDir Path home) throws Exception {
        try (Server gated = start(TestProcessor.GATED_SETUP, home)) {
            // the server may answer before setup records its start: wait for both
            Health starting = gated.awaitHealth(h -> "STARTING".equals(h.status()) && h.raw().path("setup").hasNonNull("started_at"));
            assertFalse(starting.ready());

            var refused = assertThrows(RuntimeResponseException.class,
                    () -> gated.client().predict("early", JSON.createObjectNode(), e -> { }));
            assertEquals(503, refused.status(), "a prediction before setup ends is refused, not queued");

            Files.createFile(home.resolve(GATE));
            Health ready = gated.awaitHealth(Health::ready);
            assertEquals("succeeded", ready.raw().path("setup").path("status").asText());
            assertTrue(ready.setupLogs().contains("waiting for the gate\ngate open\n"), ready.setupLogs());
            assertTrue(gated.client().predict("after", JSON.createObjectNode(), e -> { }).succeeded());
        }
    }

    @Test
    void setupThatRaisesIsSetupFailedWithTheTraceback(@TempDir Path home) throws Exception {
        try (Server failing = start(TestProcessor.FAILING_SETUP, home)) {
            Health health = failing.awaitHealth(h -> !"STARTING".equals(h.status()));
            assertTrue(health.setupFailed(), health.raw().toString());
            assertEquals("failed", health.raw().path("setup").path("status").asText());
            String logs = health.setupLogs();
            assertTrue(logs.startsWith("loading weights\n"), logs);
            assertTrue(logs.contains("Traceback (most recent call last)"), logs);
            assertTrue(logs.contains("RuntimeError: weights file is missing"), logs);
            assertTrue(failing.log().contains("RuntimeError: weights file is missing"), "and on the container's stderr");
        }
    }

    // --- predictions ---------------------------------------------------------------------------

    @Test
    void syncPredictAnswersWithCogsPredictionObject() throws Exception {
        var response = post(basic, "/predictions", "{\"id\":\"sync-1\",\"input\":{\"text\":\"hello world\"}}", Map.of());

        assertEquals(200, response.status());
        assertEquals("application/json", response.contentType());
        JsonNode body = json(response.body());
        assertEquals("sync-1", body.path("id").asText());
        assertEquals("succeeded", body.path("status").asText());
        assertEquals("hello world", body.path("output").path("text").asText());
        assertEquals(json("{\"text\":\"hello world\"}"), body.path("input"));
        assertTrue(body.path("logs").asText().contains("a line on stderr\n"), body.toString());
        assertTrue(body.path("metrics").path("predict_time").isNumber());
        assertTrue(body.hasNonNull("started_at") && body.hasNonNull("completed_at"));
        assertTrue(body.path("error").isNull());
    }

    @Test
    void streamingDeliversLogsTokensAndProgressBeforeDone() throws Exception {
        List<StreamEvent> events = new ArrayList<>();
        Prediction prediction = basic.client().predict("stream-1", json("{\"text\":\"hello streaming world\"}"), events::add);

        assertTrue(prediction.succeeded(), prediction.raw().toString());
        assertEquals("stream-1", prediction.id());
        List<String> tokens = events.stream().filter(e -> e.type().equals("token")).map(e -> e.data().path("text").asText()).toList();
        assertEquals(List.of("hello", "streaming", "world"), tokens);
        List<StreamEvent> progress = events.stream().filter(e -> e.type().equals("progress")).toList();
        assertEquals(3, progress.size());
        assertEquals(1.0, progress.get(2).data().path("fraction").asDouble());
        assertEquals("word 3", progress.get(2).data().path("message").asText());
        assertEquals("start", events.get(0).type(), "Cog's start event comes first");
        StreamEvent stdout = events.stream().filter(e -> e.type().equals("log")).findFirst().orElseThrow();
        assertEquals("log", stdout.type());
        assertEquals("stdout", stdout.data().path("stream").asText());
        assertTrue(stdout.data().path("line").asText().matches("call \\d+: 21 chars"), stdout.toString());
        assertTrue(events.stream().anyMatch(e -> e.type().equals("log") && e.data().path("stream").asText().equals("stderr")
                && e.data().path("line").asText().equals("a line on stderr")));
        assertTrue(basic.log().contains("a line on stderr"), "still written to the real stderr for docker logs");
    }

    @Test
    void anExceptionInPredictIsAFailedPredictionWithTheError() throws Exception {
        Prediction prediction = basic.client().predict("fails-1", json("{\"text\":\"boom\",\"fail\":true}"), e -> { });

        assertEquals("failed", prediction.status());
        assertEquals("ValueError: cannot handle 'boom'", prediction.error());
        assertTrue(prediction.logs().contains("Traceback (most recent call last)"), prediction.logs());
        assertTrue(basic.log().contains("ValueError: cannot handle 'boom'"), "the traceback is on stderr too");
        assertTrue(basic.client().health().ready(), "a failed prediction leaves the runtime ready");
    }

    @Test
    void putWithTheSameIdRunsOnce() throws Exception {
        JsonNode input = json("{\"text\":\"only once\"}");
        Prediction first = basic.client().put("put-1", input);
        Prediction again = basic.client().put("put-1", input);

        assertTrue(first.succeeded());
        assertEquals(first.raw(), again.raw(), "the second PUT returns the first prediction, not a new run");
        int calls = first.output().path("calls").asInt();
        Prediction next = basic.client().put("put-2", input);
        assertEquals(calls + 1, next.output().path("calls").asInt(), "predict() ran exactly once for put-1");

        var get = basic.client().send("GET", "/predictions/put-1", Map.of(), null);
        assertEquals(200, get.status());
        assertEquals(first.raw(), json(get.body()));
    }

    @Test
    void malformedRequestsAreRejectedWithADetail() throws Exception {
        var malformed = post(basic, "/predictions", "{\"input\": {", Map.of());
        assertEquals(422, malformed.status());
        JsonNode error = json(malformed.body()).path("detail").path(0);
        assertEquals("value_error.jsondecode", error.path("type").asText(), malformed.body());
        assertEquals("body", error.path("loc").path(0).asText(), malformed.body());
        assertTrue(error.path("msg").asText().startsWith("request body is not valid JSON"), malformed.body());

        var array = post(basic, "/predictions", "[1,2]", Map.of());
        assertEquals(422, array.status());
        assertEquals("type_error.dict", json(array.body()).path("detail").path(0).path("type").asText(), array.body());
        var notAnObject = post(basic, "/predictions", "{\"input\":\"text\"}", Map.of());
        assertEquals(422, notAnObject.status());
        assertEquals(json("[{\"loc\":[\"body\",\"input\"],\"msg\":\"value is not a valid dict\",\"type\":\"type_error.dict\"}]"),
                json(notAnObject.body()).path("detail"));
        assertTrue(basic.client().health().ready(), "nothing was started");
    }

    @Test
    void unknownPathsAndMethodsAndIds() throws Exception {
        RuntimeClient client = basic.client();
        var unknownPath = client.send("GET", "/nope", Map.of(), null);
        assertEquals(404, unknownPath.status());
        assertTrue(json(unknownPath.body()).has("detail"));
        assertEquals(405, client.send("DELETE", "/predictions", Map.of(), null).status());
        assertEquals(405, client.send("POST", "/health-check", Map.of(), null).status());
        assertEquals(404, client.send("GET", "/predictions/never-seen", Map.of(), null).status());
    }

    @Test
    void openapiCarriesTheInputSchema() throws Exception {
        JsonNode openapi = basic.client().openapi();

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

    // --- long predictions: async, cancel, one at a time, keep-alives ---------------------------

    @Test
    void asyncAnswers202ThenGetFollowsIt() throws Exception {
        var accepted = startAsync("async-1", "{\"seconds\":0.5}");

        assertEquals(202, accepted.status());
        assertEquals("starting", json(accepted.body()).path("status").asText(), "Cog's 202 status");
        assertEquals("BUSY", slow.client().health().status());
        JsonNode done = awaitSlow("async-1", p -> p.path("status").asText().equals("succeeded"));
        assertEquals(0.5, done.path("output").path("slept").asDouble());
    }

    @Test
    void cancelStopsAStreamingPredictionThatPollsTheFlag() throws Exception {
        List<StreamEvent> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Prediction> result = CompletableFuture.supplyAsync(() -> {
            try {
                return slow.client().predict("flag-1", json("{\"seconds\":60}"), events::add);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(WITHIN_SECONDS).until(() -> !events.isEmpty());

        slow.client().cancel("flag-1");

        Prediction prediction = result.get(5, TimeUnit.SECONDS);
        assertEquals("canceled", prediction.status());
        assertTrue(prediction.logs().contains("saw the cancel flag"), prediction.logs());
    }

    @Test
    void cancelInterruptsAPredictionThatIgnoresTheFlag() throws Exception {
        assertEquals(202, startAsync("ignore-1", "{\"seconds\":60,\"check_flag\":false}").status());
        awaitSlow("ignore-1", p -> p.path("logs").asText().contains("started\n"));

        slow.client().cancel("ignore-1");

        JsonNode done = awaitSlow("ignore-1", p -> !p.path("status").asText().equals("processing"));
        assertEquals("canceled", done.path("status").asText());
        assertFalse(done.path("logs").asText().contains("saw the cancel flag"), "stopped by the server, not by itself");
        assertTrue(done.path("error").isNull());
    }

    @Test
    void aSecondConcurrentPredictionIs409() throws Exception {
        assertEquals(202, startAsync("first", "{\"seconds\":60}").status());

        var second = assertThrows(RuntimeResponseException.class,
                () -> slow.client().predict("second", json("{\"seconds\":1}"), e -> { }));
        assertEquals(409, second.status());
        assertTrue(json(second.body()).path("detail").asText().startsWith("Already running a prediction"), second.body());
        assertEquals("BUSY", slow.client().health().status());

        slow.client().cancel("first");
        awaitSlow("first", p -> p.path("status").asText().equals("canceled"));
        assertEquals(404, slow.client().send("GET", "/predictions/second", Map.of(), null).status(), "never created");
    }

    @Test
    void cancelOfAnUnknownIdIs404() {
        var unknown = assertThrows(RuntimeResponseException.class, () -> slow.client().cancel("no-such-id"));
        assertEquals(404, unknown.status());
    }

    @Test
    void aQuietStreamOutlivesTheReadTimeoutThanksToKeepAlives() throws Exception {
        RuntimeClient impatient = slow.client().withTimeout(Duration.ofSeconds(1));

        // Half again the read timeout, and quiet throughout: only keep-alives reach the client.
        Prediction prediction = impatient.predict("quiet-1", json("{\"seconds\":1.5}"), e -> { });

        assertTrue(prediction.succeeded(), prediction.raw().toString());
    }
}
