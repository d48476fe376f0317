package dev.hangar.runtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Python runtime adds to the protocol, against basic.py: mock mode by default, trainings,
 * masked secrets. The protocol itself is {@link RuntimeProtocolContract}.
 */
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

    @Test
    void theModeIsMockUnlessHangarModeSaysOtherwise() throws Exception {
        Prediction prediction = runtime.client.predict("mode-1", json("{\"text\":\"hello world\"}"), e -> { });

        assertTrue(prediction.succeeded(), prediction.raw().toString());
        assertEquals("mock", prediction.output().path("mode").asText(), "HANGAR_MODE defaults to mock");
    }

    @Test
    void trainingsUseTheSamePath() throws Exception {
        var response = runtime.client.send("POST", "/trainings", Map.of(),
                "{\"id\":\"train-1\",\"input\":{\"steps\":3}}".getBytes(StandardCharsets.UTF_8));

        assertEquals(200, response.status());
        JsonNode body = json(response.body());
        assertEquals("succeeded", body.path("status").asText());
        assertEquals(3, body.path("output").path("trained_steps").asInt());
        assertEquals("training for 3 steps\n", body.path("logs").asText());
        assertEquals(200, runtime.client.send("GET", "/trainings/train-1", Map.of(), null).status());
        assertEquals(404, runtime.client.send("GET", "/predictions/train-1", Map.of(), null).status());
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
