package dev.hangar.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.ArtifactPath;
import dev.hangar.contracts.Json;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The issue's own command, end to end through real parts: bin/hangar → gateway → Kafka →
 * executor → Docker (pulled by digest, no network) → runtime → S3 → Kafka → gateway →
 * WebSocket → bin/hangar.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EchoRunIT {
    static final String INPUTS = "{\"schema\":\"v1\",\"params\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}}";
    static String pinned;

    @BeforeAll
    static void push() throws Exception {
        var push = Stack.hangar("push", "--override", "examples/processors/echo", "--json");
        assertEquals(0, push.exit(), push.err());
        pinned = push.json().path("digests").path("amd64").asText();
        assertTrue(pinned.matches("sha256:[0-9a-f]{64}"), push.out());
    }

    static Stack.Result runEcho() throws Exception {
        return Stack.hangar("run", "--ref", "examples/echo@1", "--adapter", "local", "--mode", "mock",
                "--inputs-json", INPUTS, "--json");
    }

    @Test
    @Order(1)
    void theIssueCommandPrintsASuccessEnvelope() throws Exception {
        var run = runEcho();
        assertEquals(0, run.exit(), run.err());
        JsonNode envelope = run.json();
        String id = envelope.path("execution_id").asText();
        assertEquals("success", envelope.path("status").asText(), run.out());
        assertEquals(pinned, envelope.path("meta").path("image_digest").asText(), "ran the pinned digest");
        assertTrue(envelope.path("meta").path("duration_ms").asLong() > 0);
        assertEquals("/artifacts/outputs/examples-echo-v1/" + id + "/outputs.json", envelope.path("index_path").asText());

        JsonNode output = envelope.path("outputs").get(0);
        assertEquals("/artifacts/outputs/examples-echo-v1/" + id + "/output.json", output.path("path").asText());
        assertEquals("application/json", output.path("mime").asText());

        try (var s3 = Stack.s3()) {
            byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(Stack.BUCKET).key(ArtifactPath.toKey(output.path("path").asText()))).asByteArray();
            assertEquals(output.path("size_bytes").asLong(), bytes.length);
            assertEquals(output.path("cid").asText(), "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
            assertTrue(new String(bytes).contains("Hello"), new String(bytes));
            JsonNode index = Json.MAPPER.readTree(s3.getObjectAsBytes(b -> b.bucket(Stack.BUCKET)
                    .key(ArtifactPath.toKey(envelope.path("index_path").asText()))).asByteArray());
            assertEquals(envelope.path("outputs"), index.path("outputs"), "outputs.json lists what the envelope lists");
        }

        List<JsonNode> events = run.ndjson();
        assertFalse(events.isEmpty(), "NDJSON events on stderr");
        assertTrue(events.stream().anyMatch(e -> e.path("event").path("type").asText().equals("started")), run.err());
        assertTrue(events.stream().anyMatch(e -> e.path("event").path("type").asText().equals("log")), run.err());

        var stored = Stack.get("/v1/runs/" + id);
        assertEquals(200, stored.statusCode());
        assertEquals(envelope, Json.MAPPER.readTree(stored.body()), "GET /v1/runs/{id} returns the same envelope");
        assertEquals(List.of(), Stack.managedContainers(), "no container is left behind");
    }

    @Test
    @Order(2)
    void mockOutputIsDeterministic() throws Exception {
        var first = runEcho().json();
        var second = runEcho().json();
        assertEquals("success", second.path("status").asText());
        assertFalse(first.path("execution_id").equals(second.path("execution_id")));
        assertEquals(first.path("outputs").get(0).path("cid"), second.path("outputs").get(0).path("cid"),
                "same inputs, byte-identical outputs");
    }

    @Test
    @Order(3)
    void inputsFromFileAndStdinWorkToo() throws Exception {
        var stdin = Stack.hangarWithInput(INPUTS, "run", "--ref", "examples/echo@1", "--inputs", "-", "--json");
        assertEquals(0, stdin.exit(), stdin.err());
        assertEquals("success", stdin.json().path("status").asText());
    }

    @Test
    @Order(4)
    void watchReplaysAFinishedRunAndGetPrintsItsEnvelope() throws Exception {
        var envelope = runEcho().json();
        String id = envelope.path("execution_id").asText();
        var watch = Stack.hangar("runs", "watch", id, "--json");
        assertEquals(0, watch.exit(), watch.err());
        assertEquals(envelope, watch.json(), "a watcher after the end gets the same envelope");
        assertTrue(watch.ndjson().stream().anyMatch(e -> e.path("event").path("type").asText().equals("completed")));
        var get = Stack.hangar("runs", "get", id);
        assertEquals(0, get.exit(), get.err());
        assertEquals(envelope, get.json());
        var missing = Stack.hangar("runs", "get", "r-doesnotexist000000");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("ERR_RUN_NOT_FOUND"), missing.err());
    }

    @Test
    @Order(5)
    void theEnvelopeSurvivesAGatewayRestart() throws Exception {
        var envelope = runEcho().json();
        String id = envelope.path("execution_id").asText();
        long pid = Long.parseLong(java.nio.file.Files.readString(Stack.ROOT.resolve(".local/run/gateway-service.pid")).trim());
        ProcessHandle gateway = ProcessHandle.of(pid).orElseThrow();
        gateway.destroy();
        gateway.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
        var up = new ProcessBuilder(Stack.ROOT.resolve("bin/stack").toString(), "up").directory(Stack.ROOT.toFile())
                .redirectErrorStream(true).start();
        up.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertEquals(0, up.waitFor(), "bin/stack up restarts the gateway");
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            var stored = Stack.get("/v1/runs/" + id);
            assertEquals(200, stored.statusCode());
            assertEquals(envelope, Json.MAPPER.readTree(stored.body()));
        });
        assertNotNull(runEcho().json().path("outputs").get(0), "and runs keep working afterwards");
    }
}
