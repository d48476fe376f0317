package dev.hangar.runtime.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Long predictions (slow.py): async, cancel both ways, one at a time, and no read timeout while streaming. */
class CancelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WITHIN_SECONDS = Duration.ofSeconds(5);

    @TempDir
    static Path dir;
    static RuntimeProcess runtime;

    @BeforeAll
    static void start() throws Exception {
        // Keep-alives every 200 ms, so a 1 s client timeout can prove they keep a quiet stream open.
        runtime = RuntimeProcess.start(dir, "slow", Map.of("HANGAR_SSE_HEARTBEAT_SECONDS", "0.2")).awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        runtime.close();
    }

    @AfterEach
    void idle() {
        runtime.awaitHealth(Health::ready);
    }

    private static RuntimeClient.RawResponse startAsync(String id, String input) throws Exception {
        String body = "{\"id\":\"" + id + "\",\"input\":" + input + "}";
        return runtime.client.send("POST", "/predictions", Map.of("Prefer", "respond-async"), body.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode get(String id) throws Exception {
        return JSON.readTree(runtime.client.send("GET", "/predictions/" + id, Map.of(), null).requireSuccess().body());
    }

    private static void awaitStarted(String id) {
        await().atMost(WITHIN_SECONDS).pollInterval(Duration.ofMillis(20))
                .until(() -> get(id).path("logs").asText().contains("started\n"));
    }

    @Test
    void asyncAnswers202ThenGetFollowsIt() throws Exception {
        var accepted = startAsync("async-1", "{\"seconds\":0.5}");

        assertEquals(202, accepted.status());
        assertEquals("processing", JSON.readTree(accepted.body()).path("status").asText());
        assertEquals("BUSY", runtime.client.health().status());
        JsonNode done = await().atMost(WITHIN_SECONDS).pollInterval(Duration.ofMillis(20))
                .until(() -> get("async-1"), p -> p.path("status").asText().equals("succeeded"));
        assertEquals(0.5, done.path("output").path("slept").asDouble());
    }

    @Test
    void cancelStopsAStreamingPredictionThatPollsTheFlag() throws Exception {
        List<StreamEvent> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Prediction> result = CompletableFuture.supplyAsync(() -> {
            try {
                return runtime.client.predict("flag-1", JSON.readTree("{\"seconds\":60}"), events::add);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(WITHIN_SECONDS).until(() -> !events.isEmpty());

        runtime.client.cancel("flag-1");

        Prediction prediction = result.get(5, TimeUnit.SECONDS);
        assertEquals("canceled", prediction.status());
        assertTrue(prediction.logs().contains("saw the cancel flag"), prediction.logs());
    }

    @Test
    void cancelInterruptsAPredictionThatIgnoresTheFlag() throws Exception {
        assertEquals(202, startAsync("ignore-1", "{\"seconds\":60,\"check_flag\":false}").status());
        awaitStarted("ignore-1");

        runtime.client.cancel("ignore-1");

        JsonNode done = await().atMost(WITHIN_SECONDS).pollInterval(Duration.ofMillis(20))
                .until(() -> get("ignore-1"), p -> !p.path("status").asText().equals("processing"));
        assertEquals("canceled", done.path("status").asText());
        assertFalse(done.path("logs").asText().contains("saw the cancel flag"), "stopped by the injected exception");
        assertTrue(done.path("error").isNull());
    }

    @Test
    void aSecondConcurrentPredictionIs409() throws Exception {
        assertEquals(202, startAsync("first", "{\"seconds\":60}").status());

        var second = assertThrows(RuntimeResponseException.class,
                () -> runtime.client.predict("second", JSON.readTree("{\"seconds\":1}"), e -> { }));
        assertEquals(409, second.status());
        assertTrue(JSON.readTree(second.body()).path("detail").asText().contains("already running"), second.body());
        assertEquals("BUSY", runtime.client.health().status());

        runtime.client.cancel("first");
        await().atMost(WITHIN_SECONDS).until(() -> get("first").path("status").asText().equals("canceled"));
        assertEquals(404, runtime.client.send("GET", "/predictions/second", Map.of(), null).status(), "never created");
    }

    @Test
    void cancelOfAnUnknownIdIs404() {
        var unknown = assertThrows(RuntimeResponseException.class, () -> runtime.client.cancel("no-such-id"));
        assertEquals(404, unknown.status());
    }

    @Test
    void aQuietStreamOutlivesTheReadTimeoutThanksToKeepAlives() throws Exception {
        RuntimeClient impatient = runtime.client.withTimeout(Duration.ofSeconds(1));

        Prediction prediction = impatient.predict("quiet-1", JSON.readTree("{\"seconds\":2.5}"), e -> { });

        assertTrue(prediction.succeeded(), prediction.raw().toString());
    }
}
