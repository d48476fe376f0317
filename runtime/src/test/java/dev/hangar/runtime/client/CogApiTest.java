package dev.hangar.runtime.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cog's HTTP API as the runtime serves a Cog predictor (docs/http.md), over real loopback TCP: the 422
 * {@code detail} lists, defaults and secrets, file inputs from {@code data:} and http URLs, file outputs as
 * data URLs or uploads, metrics, Cog's SSE events and the {@code error} on a gap, signed webhooks (filter,
 * throttle, terminal retry), {@code UNHEALTHY}, {@code GET /}, {@code POST /shutdown}, the setup timeout,
 * async predictors running side by side. The predictors are {@code src/test/resources/processors/cog_api.py}.
 */
class CogApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WITHIN = Duration.ofSeconds(10);
    private static final byte[] SECRET = "a webhook signing key of 32 byte".getBytes(StandardCharsets.UTF_8);
    private static final String WHSEC = "whsec_" + Base64.getEncoder().encodeToString(SECRET);

    @TempDir
    Path dir;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    // --- inputs -------------------------------------------------------------------------------

    @Test
    void inputsAreCheckedBeforeAJobExistsWithCogsDetailList() throws Exception {
        var runtime = start("Predictor", Map.of());

        var unknown = post(runtime, "{\"id\":\"u\",\"input\":{\"text\":\"a\",\"colour\":\"red\"}}");
        assertEquals(422, unknown.status());
        assertEquals(json("[{\"loc\":[\"body\",\"input\",\"colour\"],\"msg\":\"extra fields not permitted\",\"type\":\"value_error.extra\"}]"),
                json(unknown.body()).path("detail"));
        var missing = post(runtime, "{\"id\":\"m\",\"input\":{}}");
        assertEquals(422, missing.status());
        assertEquals(json("[{\"loc\":[\"body\",\"input\",\"text\"],\"msg\":\"field required\",\"type\":\"value_error.missing\"}]"),
                json(missing.body()).path("detail"));
        var invalid = post(runtime, "{\"id\":\"i\",\"input\":{\"text\":\"a\",\"n\":\"many\"}}");
        assertEquals(422, invalid.status());
        JsonNode detail = json(invalid.body()).path("detail").path(0);
        assertEquals(json("[\"body\",\"input\",\"n\"]"), detail.path("loc"));
        assertEquals("type_error.integer", detail.path("type").asText(), invalid.body());
        var tooBig = post(runtime, "{\"id\":\"b\",\"input\":{\"text\":\"a\",\"n\":9}}");
        assertEquals(422, tooBig.status());
        assertEquals("value_error.number.not_le", json(tooBig.body()).path("detail").path(0).path("type").asText());
        var badJson = post(runtime, "{\"input\":");
        assertEquals(422, badJson.status());
        assertEquals("value_error.jsondecode", json(badJson.body()).path("detail").path(0).path("type").asText());
        var putMismatch = runtime.client().send("PUT", "/predictions/url-id", Map.of(), bytes("{\"id\":\"body-id\",\"input\":{\"text\":\"a\"}}"));
        assertEquals(422, putMismatch.status());
        assertEquals(json("[\"body\",\"id\"]"), json(putMismatch.body()).path("detail").path(0).path("loc"));
        var badWebhook = post(runtime, "{\"id\":\"w\",\"input\":{\"text\":\"a\"},\"webhook\":\"file:///etc/passwd\"}");
        assertEquals(422, badWebhook.status());
        assertEquals(json("[\"body\",\"webhook\"]"), json(badWebhook.body()).path("detail").path(0).path("loc"));
        for (String id : List.of("u", "m", "i", "b", "url-id", "body-id", "w")) {
            assertEquals(404, runtime.client().send("GET", "/predictions/" + id, Map.of(), null).status(), id + " was never created");
        }
        assertTrue(runtime.log().contains("setup succeeded"));
    }

    @Test
    void defaultsApplyWeightsReachSetupAndSecretsAreMaskedInTheEcho() throws Exception {
        var runtime = start("Predictor", Map.of("COG_WEIGHTS", "https://weights.example/w.bin"));

        JsonNode done = sync(runtime, "{\"input\":{\"text\":\"ab\",\"key\":\"hunter2hunter2\"}}");

        assertEquals("succeeded", done.path("status").asText(), done.toString());
        assertEquals("ab:key=14ab:key=14", done.path("output").asText(), "n defaulted to 2, the secret reached predict()");
        assertEquals("**********", done.path("input").path("key").asText());
        assertFalse(done.toString().contains("hunter2"), done.toString());
        assertTrue(done.path("logs").asText().contains("weights=https://weights.example/w.bin"), done.toString());
        assertEquals(1, done.path("metrics").path("calls").asInt());
        assertEquals(0.0, done.path("metrics").path("timing").path("sleep").asDouble());
        assertTrue(done.path("metrics").path("predict_time").isNumber());
    }

    @Test
    void fileInputsComeFromDataUrlsAndHttpIntoTheRunsOwnFolderAndAreRemovedAfter() throws Exception {
        var files = new FileServer();
        var runtime = start("Predictor", Map.of());
        Path outputs = runtime.newRunFolder("0123456789abcdef");

        String data = "data:text/plain;base64," + Base64.getEncoder().encodeToString("from data".getBytes(StandardCharsets.UTF_8));
        JsonNode fromData = sync(runtime, "{\"input\":{\"text\":\"x\",\"n\":1,\"doc\":\"" + data + "\"},\"output_dir\":\"" + outputs + "\"}");
        assertEquals("x:from data", fromData.path("output").asText(), fromData.toString());
        String where = fromData.path("logs").asText().replaceAll("(?s).*doc at (\\S+).*", "$1");
        assertTrue(Path.of(where).startsWith(outputs.getParent()), "fetched into the run's folder: " + where);
        assertFalse(Files.exists(Path.of(where)), "and removed when the job ended");
        assertEquals(List.of("outputs"), Files.list(outputs.getParent()).map(p -> p.getFileName().toString()).toList());

        JsonNode fromHttp = sync(runtime, "{\"input\":{\"text\":\"y\",\"n\":1,\"doc\":\"" + files.url("/notes.txt?sig=secret") + "\"}}");
        assertEquals("y:served over http", fromHttp.path("output").asText(), fromHttp.toString());

        JsonNode missing = sync(runtime, "{\"input\":{\"text\":\"z\",\"doc\":\"" + files.url("/gone.txt?sig=secret") + "\"}}");
        assertEquals("failed", missing.path("status").asText());
        assertTrue(missing.path("error").asText().contains("doc: could not download"), missing.toString());
        assertFalse(missing.path("error").asText().contains("sig=secret"), "the query of a signed URL is never shown");
    }

    // --- outputs ------------------------------------------------------------------------------

    @Test
    void fileOutputsAreDataUrlsByDefaultAndUploadedWhenAnUploadUrlIsSet() throws Exception {
        var uploads = new FileServer();
        var inline = start("Files", Map.of());
        JsonNode asData = sync(inline, "{\"input\":{\"text\":\"hi\",\"count\":2}}");
        assertEquals(json("[\"data:text/plain;base64," + b64("hi 0\n") + "\",\"data:text/plain;base64," + b64("hi 1\n") + "\"]"),
                asData.path("output"), asData.toString());

        var uploading = start("Files", Map.of("HANGAR_UPLOAD_URL", uploads.url("/bucket")));
        JsonNode uploaded = sync(uploading, "{\"input\":{\"text\":\"up\"}}");
        assertEquals(json("[\"" + uploads.url("/stored/out-0.txt") + "\"]"), uploaded.path("output"), "the Location the server named");
        assertEquals("up 0\n", uploads.received.get("/bucket/out-0.txt"));

        Path own = inline.newRunFolder("0123456789abcdef"); // its own folder: no earlier out-0.txt to clash with
        JsonNode prefixed = sync(inline, "{\"input\":{\"text\":\"pre\"},\"output_dir\":\"" + own
                + "\",\"output_file_prefix\":\"" + uploads.url("/per-request") + "\"}");
        assertEquals(json("[\"" + uploads.url("/per-request/out-0.txt") + "\"]"), prefixed.path("output"), "no Location: the URL it was PUT to");
        assertEquals("pre 0\n", uploads.received.get("/per-request/out-0.txt"), prefixed.toString());
    }

    @Test
    void withItsOwnOutputDirAJobReportsFilesByNameAndWritesOutputJsonForTheExecutor() throws Exception {
        var runtime = start("Files", Map.of());
        Path outputs = runtime.newRunFolder("fedcba9876543210");

        JsonNode done = sync(runtime, "{\"input\":{\"text\":\"run\",\"count\":2},\"output_dir\":\"" + outputs + "\"}");

        assertEquals(json("[\"out-0.txt\",\"out-1.txt\"]"), done.path("output"), done.toString());
        assertEquals(json("[\"out-0.txt\",\"out-1.txt\",\"output.json\"]"), done.path("output_files"));
        assertEquals("run 1\n", Files.readString(outputs.resolve("out-1.txt")));
        assertEquals("[\"out-0.txt\",\"out-1.txt\"]\n", Files.readString(outputs.resolve("output.json")));

        var predictor = start("Predictor", Map.of());
        Path other = predictor.newRunFolder("0123456789abcdef");
        sync(predictor, "{\"input\":{\"text\":\"v\"},\"output_dir\":\"" + other + "\"}");
        assertEquals("\"vv\"\n", Files.readString(other.resolve("output.json")), "a plain value, canonical JSON");
    }

    @Test
    void aSyncCogPredictorIsCanceledByTheInjectedException() throws Exception {
        var runtime = start("Predictor", Map.of("HANGAR_CANCEL_GRACE_SECONDS", "0.1"));
        assertEquals(202, postAsync(runtime, "{\"id\":\"s\",\"input\":{\"text\":\"a\",\"sleep\":30}}").status());
        await().atMost(WITHIN).until(() -> status(runtime, "s").equals("processing"));
        runtime.client().cancel("s");
        await().atMost(WITHIN).until(() -> status(runtime, "s").equals("canceled"));
        assertEquals("READY", health(runtime).path("status").asText());
        assertEquals("aa", sync(runtime, "{\"input\":{\"text\":\"a\"}}").path("output").asText(), "and serves the next one");
    }

    // --- SSE ----------------------------------------------------------------------------------

    @Test
    void sseEventsAreCogsNamesAndPayloads() throws Exception {
        var runtime = start("Streamer", Map.of());

        var raw = runtime.client().send("POST", "/predictions", Map.of("Accept", "text/event-stream"),
                bytes("{\"id\":\"s1\",\"input\":{\"count\":2}}"));

        List<Map.Entry<String, JsonNode>> events = parseSse(raw.body());
        assertEquals(List.of("start", "log", "metric", "output", "log", "metric", "output", "completed"),
                events.stream().map(Map.Entry::getKey).toList(), raw.body());
        assertEquals(json("{\"id\":\"s1\",\"status\":\"processing\"}"), events.get(0).getValue());
        assertEquals(json("{\"source\":\"stdout\",\"data\":\"line 0\\n\"}"), events.get(1).getValue());
        assertEquals(json("{\"name\":\"chunks\",\"value\":1,\"mode\":\"incr\"}"), events.get(2).getValue());
        assertEquals(json("{\"chunk\":\"w1 \",\"index\":1}"), events.get(6).getValue());
        JsonNode completed = events.get(7).getValue();
        assertEquals("succeeded", completed.path("status").asText());
        assertEquals(json("[\"w0 \",\"w1 \"]"), completed.path("output"));
        assertEquals(2, completed.path("metrics").path("chunks").asInt());

        List<StreamEvent> seen = new ArrayList<>();
        Prediction viaClient = runtime.client().predict("s2", json("{\"count\":2}"), seen::add);
        assertTrue(viaClient.succeeded());
        assertEquals(List.of("w0 ", "w1 "), seen.stream().filter(e -> e.type().equals("token")).map(e -> e.data().path("text").asText()).toList());
        assertEquals(List.of("line 0", "line 1"), seen.stream().filter(e -> e.type().equals("log")).map(e -> e.data().path("line").asText()).toList());
        assertTrue(seen.stream().filter(StreamEvent::isRunEvent).noneMatch(e -> e.type().equals("start") || e.type().equals("metric")));
    }

    @Test
    void aStreamThatWouldMissEventsGetsAnErrorEventNeverASilentGap() throws Exception {
        var runtime = start("Streamer", Map.of("COG_STREAM_HISTORY_CAPACITY", "4"));
        JsonNode done = sync(runtime, "{\"id\":\"long\",\"input\":{\"count\":10}}");
        assertEquals(10, done.path("output").size());

        var replay = runtime.client().send("PUT", "/predictions/long", Map.of("Accept", "text/event-stream"),
                bytes("{\"input\":{\"count\":10}}"));
        List<Map.Entry<String, JsonNode>> events = parseSse(replay.body());
        assertEquals(List.of("error"), events.stream().map(Map.Entry::getKey).toList(), replay.body());
        assertTrue(events.get(0).getValue().path("detail").asText().contains("events were dropped"), replay.body());

        // The Java client says so in the run's log, then fetches the final state by id.
        List<StreamEvent> seen = new ArrayList<>();
        Prediction prediction = runtime.client().predict("long", json("{\"count\":10}"), seen::add);
        assertTrue(prediction.succeeded());
        assertEquals(10, prediction.raw().path("output").size());
        assertTrue(seen.stream().anyMatch(e -> e.type().equals("log") && e.data().path("stream").asText().equals("stderr")
                && e.data().path("line").asText().contains("events were dropped")), seen.toString());
    }

    // --- webhooks -----------------------------------------------------------------------------

    @Test
    void webhooksAreSignedFilteredThrottledAndTheTerminalOneIsRetried() throws Exception {
        var hooks = new WebhookReceiver();
        var runtime = start("Streamer", Map.of("HANGAR_WEBHOOK_SECRET", WHSEC, "HANGAR_WEBHOOK_BACKOFF_SECONDS", "0.05"));

        // All events, throttled: 20 chunks over ~1 s give far fewer than 40 output/logs deliveries.
        sync(runtime, "{\"id\":\"all\",\"input\":{\"count\":20,\"pause\":0.05},\"webhook\":\"" + hooks.url("/all") + "\"}");
        await().atMost(WITHIN).until(() -> hooks.terminal("/all") >= 1);
        List<WebhookReceiver.Delivery> all = hooks.at("/all");
        assertEquals("starting", all.get(0).body().path("status").asText(), "start is sent when the job is accepted");
        assertEquals("succeeded", all.get(all.size() - 1).body().path("status").asText());
        assertEquals(20, all.get(all.size() - 1).body().path("output").size());
        long intermediate = all.stream().filter(d -> d.body().path("status").asText().equals("processing")).count();
        assertTrue(intermediate >= 1 && intermediate <= 5, "output/logs at most every 500 ms: " + intermediate);
        for (var delivery : all) {
            assertTrue(delivery.verifies(SECRET), "signed with HANGAR_WEBHOOK_SECRET: " + delivery.headers());
            assertFalse(delivery.verifies("another key entirely, 32 bytes!".getBytes(StandardCharsets.UTF_8)),
                    "a receiver with the wrong secret rejects it");
        }

        // The filter: only start and completed.
        sync(runtime, "{\"id\":\"filtered\",\"input\":{\"count\":5},\"webhook\":\"" + hooks.url("/filtered")
                + "\",\"webhook_events_filter\":[\"start\",\"completed\"]}");
        await().atMost(WITHIN).until(() -> hooks.terminal("/filtered") >= 1);
        assertEquals(List.of("starting", "succeeded"), hooks.at("/filtered").stream().map(d -> d.body().path("status").asText()).toList());

        // The terminal delivery is retried while the receiver answers 500, with the same webhook-id.
        hooks.failNext("/flaky", 2);
        sync(runtime, "{\"id\":\"flaky\",\"input\":{\"count\":1},\"webhook\":\"" + hooks.url("/flaky")
                + "\",\"webhook_events_filter\":[\"completed\"]}");
        await().atMost(WITHIN).until(() -> hooks.at("/flaky").size() >= 3);
        List<WebhookReceiver.Delivery> flaky = hooks.at("/flaky");
        assertEquals(3, flaky.size(), "two 500s, then delivered");
        assertEquals(1, flaky.stream().map(d -> d.headers().get("webhook-id")).distinct().count());
        assertTrue(flaky.stream().allMatch(d -> d.verifies(SECRET)));
    }

    // --- health, index, shutdown, setup ---------------------------------------------------------

    @Test
    void aUserHealthcheckThatFailsRaisesOrHangsIsUnhealthy() throws Exception {
        Path state = dir.resolve("health");
        Files.writeString(state, "ok");
        var runtime = start("Healthy", Map.of("HEALTH_FILE", state.toString(), "HANGAR_HEALTHCHECK_TIMEOUT_SECONDS", "0.5"));
        assertEquals("READY", health(runtime).path("status").asText());

        Files.writeString(state, "no");
        JsonNode unhealthy = health(runtime);
        assertEquals("UNHEALTHY", unhealthy.path("status").asText());
        assertEquals("healthcheck() returned False", unhealthy.path("user_healthcheck_error").asText());
        Files.writeString(state, "raise");
        assertTrue(health(runtime).path("user_healthcheck_error").asText().contains("RuntimeError: the GPU fell off"));
        Files.writeString(state, "hang");
        assertTrue(health(runtime).path("user_healthcheck_error").asText().contains("did not answer within 0.5s"));
        Files.writeString(state, "ok");
        assertEquals("UNHEALTHY", health(runtime).path("status").asText(), "the hung check is still running: no second one starts");
        await().atMost(WITHIN).until(() -> health(runtime).path("status").asText().equals("READY"));
    }

    @Test
    void indexListsTheEndpointsAndShutdownLetsTheRunningJobFinishThenStops() throws Exception {
        var hooks = new WebhookReceiver();
        var runtime = start("AsyncSleeper", Map.of("HANGAR_WEBHOOK_BACKOFF_SECONDS", "0.5"));
        JsonNode index = json(runtime.client().send("GET", "/", Map.of(), null).body());
        assertEquals("/predictions", index.path("predictions_url").asText());
        assertEquals("/predictions/{prediction_id}/cancel", index.path("predictions_cancel_url").asText());
        assertEquals("/shutdown", index.path("shutdown_url").asText());
        assertTrue(index.path("cog_version").asText().startsWith("0.17"));
        assertFalse(index.has("trainings_url"), "no train()");

        hooks.failNext("/last", 2);
        assertEquals(202, postAsync(runtime, "{\"id\":\"last\",\"input\":{\"seconds\":1},\"webhook\":\"" + hooks.url("/last")
                + "\",\"webhook_events_filter\":[\"completed\"]}").status());
        assertEquals(200, runtime.client().send("POST", "/shutdown", Map.of(), null).status());
        var refused = post(runtime, "{\"input\":{}}");
        assertEquals(409, refused.status());
        assertEquals("Model shutting down", json(refused.body()).path("detail").asText());
        assertTrue(runtime.exitsWithin(Duration.ofSeconds(10)), "the runtime stopped: " + runtime.log());
        assertTrue(runtime.log().contains("prediction last succeeded"), "after the running job ended: " + runtime.log());
        assertEquals(3, hooks.at("/last").size(), "and after its terminal webhook was delivered, retries included");
    }

    @Test
    void aSetupThatOutlastsTheTimeoutIsSetupFailedWithAClearLogLine() throws Exception {
        var runtime = launch("SlowSetup", Map.of("HANGAR_SETUP_TIMEOUT_SECONDS", "1"));
        await().atMost(WITHIN).until(() -> health(runtime).path("status").asText().equals("SETUP_FAILED"));
        JsonNode setup = health(runtime).path("setup");
        assertEquals("failed", setup.path("status").asText());
        assertTrue(setup.path("logs").asText().contains("loading weights slowly"), setup.toString());
        assertTrue(setup.path("logs").asText().contains("setup did not finish within 1s (HANGAR_SETUP_TIMEOUT_SECONDS)"), setup.toString());
        assertTrue(runtime.log().contains("setup did not finish within 1s"), runtime.log());
        assertEquals(503, post(runtime, "{\"input\":{}}").status());
    }

    // --- async ----------------------------------------------------------------------------------

    @Test
    void asyncPredictorsRunSideBySideUpToCogMaxConcurrencyAndCancelOnTheLoop() throws Exception {
        var runtime = start("AsyncSleeper", Map.of("COG_MAX_CONCURRENCY", "3"));
        assertEquals(3, health(runtime).path("concurrency").path("max").asInt());

        long started = System.nanoTime();
        List<CompletableFuture<JsonNode>> runs = new ArrayList<>();
        var clients = java.util.concurrent.Executors.newFixedThreadPool(3); // the common pool may have one thread
        closing.add(clients::shutdownNow);
        for (int i = 0; i < 3; i++) {
            runs.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return sync(runtime, "{\"input\":{\"seconds\":1.5}}");
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, clients));
        }
        for (var run : runs) {
            assertEquals("slept 1.5", run.get(20, TimeUnit.SECONDS).path("output").asText());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        assertTrue(seconds < 3.0, "three 1.5 s async jobs with 3 slots took " + seconds + " s");

        var accepted = postAsync(runtime, "{\"id\":\"c\",\"input\":{\"seconds\":30}}");
        assertEquals("starting", json(accepted.body()).path("status").asText());
        await().atMost(WITHIN).until(() -> status(runtime, "c").equals("processing"));
        runtime.client().cancel("c");
        await().atMost(WITHIN).until(() -> status(runtime, "c").equals("canceled"));
        JsonNode canceled = json(runtime.client().send("GET", "/predictions/c", Map.of(), null).body());
        assertTrue(canceled.path("logs").asText().contains("saw CancelledError"), canceled.toString());
    }

    // --- helpers ----------------------------------------------------------------------------------

    private RuntimeProcess start(String predictor, Map<String, String> env) throws IOException {
        var runtime = launch(predictor, env);
        await().atMost(WITHIN).until(() -> health(runtime).path("status").asText().equals("READY"));
        return runtime;
    }

    private RuntimeProcess launch(String predictor, Map<String, String> env) throws IOException {
        Path home = Files.createDirectories(dir.resolve(predictor + "-" + closing.size()));
        Path file = RuntimeProcess.copy(home, "cog_api");
        var all = new HashMap<>(env);
        all.put("HANGAR_PREDICTOR", file + ":" + predictor);
        int port = freePort();
        all.put("HANGAR_PORT", Integer.toString(port));
        var runtime = RuntimeProcess.launchWith(home, file, all, RuntimeClient.tcp("127.0.0.1", port));
        closing.add(runtime);
        return runtime;
    }

    static int freePort() throws IOException {
        try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    static JsonNode health(RuntimeProcess runtime) {
        try {
            return json(runtime.client().send("GET", "/health-check", Map.of(), null).body());
        } catch (IOException e) {
            return JSON.createObjectNode(); // not listening yet
        }
    }

    static String status(RuntimeProcess runtime, String id) throws IOException {
        return json(runtime.client().send("GET", "/predictions/" + id, Map.of(), null).body()).path("status").asText();
    }

    static RuntimeClient.RawResponse post(RuntimeProcess runtime, String body) throws IOException {
        return runtime.client().send("POST", "/predictions", Map.of(), bytes(body));
    }

    static RuntimeClient.RawResponse postAsync(RuntimeProcess runtime, String body) throws IOException {
        return runtime.client().send("POST", "/predictions", Map.of("Prefer", "respond-async"), bytes(body));
    }

    static JsonNode sync(RuntimeProcess runtime, String body) throws IOException {
        var answer = post(runtime, body);
        assertEquals(200, answer.status(), answer.body());
        return json(answer.body());
    }

    static List<Map.Entry<String, JsonNode>> parseSse(String stream) throws IOException {
        List<Map.Entry<String, JsonNode>> events = new ArrayList<>();
        for (String block : stream.split("\n\n")) {
            String event = null;
            String data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                }
            }
            if (event != null) {
                events.add(Map.entry(event, json(data)));
            }
        }
        return events;
    }

    static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(bytes(text));
    }

    /** A loopback HTTP server: serves /notes.txt, 404 elsewhere; stores PUT bodies, answering a Location under /stored. */
    final class FileServer implements AutoCloseable {
        final Map<String, String> received = new java.util.concurrent.ConcurrentHashMap<>();
        private final HttpServer server;

        FileServer() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", this::handle);
            server.start();
            closing.add(this);
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + path;
        }

        private void handle(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("PUT")) {
                received.put(path, new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                if (path.startsWith("/bucket/")) {
                    exchange.getResponseHeaders().add("Location", "/stored/" + path.substring("/bucket/".length()));
                }
                exchange.sendResponseHeaders(201, -1);
            } else if (path.equals("/notes.txt")) {
                byte[] body = bytes("served over http\n");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
            exchange.close();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** A loopback webhook receiver that keeps every delivery with its headers, and can fail the next few. */
    final class WebhookReceiver implements AutoCloseable {
        record Delivery(Map<String, String> headers, byte[] raw, JsonNode body) {
            /** Standard Webhooks verification: v1,base64(HMAC-SHA256(key, id.timestamp.body)). */
            boolean verifies(byte[] key) {
                try {
                    Mac mac = Mac.getInstance("HmacSHA256");
                    mac.init(new SecretKeySpec(key, "HmacSHA256"));
                    mac.update(bytes(headers.get("webhook-id") + "." + headers.get("webhook-timestamp") + "."));
                    String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(raw));
                    return expected.equals(headers.get("webhook-signature"));
                } catch (java.security.GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        private final Map<String, List<Delivery>> deliveries = new java.util.concurrent.ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> failures = new java.util.concurrent.ConcurrentHashMap<>();
        private final HttpServer server;

        WebhookReceiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", this::handle);
            server.start();
            closing.add(this);
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + path;
        }

        void failNext(String path, int times) {
            failures.put(path, new AtomicInteger(times));
        }

        List<Delivery> at(String path) {
            return List.copyOf(deliveries.getOrDefault(path, List.of()));
        }

        long terminal(String path) {
            return at(path).stream().filter(d -> d.body().path("completed_at").isTextual()).count();
        }

        private void handle(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            byte[] raw = exchange.getRequestBody().readAllBytes();
            Map<String, String> headers = new HashMap<>();
            for (String name : List.of("webhook-id", "webhook-timestamp", "webhook-signature", "Content-Type")) {
                headers.put(name, exchange.getRequestHeaders().getFirst(name));
            }
            deliveries.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).add(new Delivery(headers, raw, JSON.readTree(raw)));
            AtomicInteger fail = failures.get(path);
            int code = fail != null && fail.getAndDecrement() > 0 ? 500 : 200;
            exchange.sendResponseHeaders(code, -1);
            exchange.close();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
