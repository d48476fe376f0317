package dev.hangar.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.Json;
import dev.hangar.kit.testing.StackCredentials;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two packaged gateways on one database, started as in production: a token made on one works on
 * the other, and once revoked on one it is refused by both within a second. And a gateway with
 * the built-in secrets key refuses to start at all.
 */
class TwoReplicasIT {
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final String ALICE = "alice-token-for-replicas-" + UUID.randomUUID();
    final HttpClient http = HttpClient.newHttpClient();
    final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(Process::destroy);
        for (Process p : started) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void aRevokedTokenIsRefusedByEveryReplicaWithinASecond() throws Exception {
        String suffix = UUID.randomUUID().toString();
        int a = freePort();
        int b = freePort();
        start(a, "replica-a-" + suffix, suffix, true);
        start(b, "replica-b-" + suffix, suffix, true);
        awaitUp(a);
        awaitUp(b);

        var created = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a + "/v1/tokens"))
                .header("Authorization", "Bearer " + ALICE).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"replicated\",\"scopes\":[\"read\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        var body = Json.MAPPER.readTree(created.body());
        String token = body.get("token").asText();
        long madeAt = System.nanoTime();
        while (status(b, token) != 200) {
            assertTrue(System.nanoTime() - madeAt < Duration.ofSeconds(1).toNanos(), "replica b never learnt the new token");
            Thread.sleep(10);
        }

        var revoked = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a + "/v1/tokens/" + body.get("id").asText()))
                .header("Authorization", "Bearer " + ALICE).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, revoked.statusCode(), revoked.body());
        long revokedAt = System.nanoTime();
        assertEquals(401, status(a, token), "the replica that revoked it refuses it at once");
        while (status(b, token) != 401) {
            assertTrue(System.nanoTime() - revokedAt < Duration.ofSeconds(1).toNanos(), "replica b still accepts a revoked token");
            Thread.sleep(10);
        }
    }

    @Test
    void theBuiltInSecretsKeyStopsTheGatewayAtStart() throws Exception {
        Process p = start(freePort(), "replica-fallback-" + UUID.randomUUID(), UUID.randomUUID().toString(), false);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "it should stop by itself");
        String out = new String(p.getInputStream().readAllBytes());
        assertNotEquals(0, p.exitValue(), out);
        assertTrue(out.contains("gateway-service refuses to start") && out.contains("HANGAR_SECRETS_KEY")
                && out.contains("HANGAR_INTERNAL_TOKEN"), out);
    }

    private Process start(int port, String id, String suffix, boolean withKeys) throws Exception {
        assertTrue(Files.exists(JAR), "package the gateway first");
        String db = System.getenv().getOrDefault("_TEST_QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/hangar_gateway_test");
        var cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx200m",
                "-XX:TieredStopAtLevel=1", "-Dquarkus.http.port=" + port, "-Dhangar.gateway.internal-port=0",
                "-Dhangar.gateway.instance-id=" + id, "-Dquarkus.datasource.jdbc.url=" + db,
                "-Dquarkus.log.console.json.enabled=false",
                // topics and groups of its own: never take a record meant for the stack's gateway
                "-Dmp.messaging.incoming.run-submissions.topic=gateway-it-submit-" + suffix,
                "-Dmp.messaging.incoming.run-submissions.group.id=gateway-it-submit-" + suffix,
                "-Dmp.messaging.outgoing.run-submissions-dlq.topic=gateway-it-submit-dlq-" + suffix,
                "-Dhangar.gateway.bootstrap-tokens=alice=" + ALICE));
        if (withKeys) {
            cmd.add("-Dhangar.gateway.secrets-key=it-secrets-key-" + suffix);
            cmd.add("-Dhangar.gateway.internal-token=it-internal-token-" + suffix);
        }
        cmd.add("-jar");
        cmd.add(JAR.toString());
        var builder = new ProcessBuilder(cmd).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("HANGAR_") || k.startsWith("QUARKUS_"));
        builder.environment().put("HANGAR_DB_PASSWORD", StackCredentials.dbPassword()); // the stack's database, not a key under test
        if (withKeys) {
            builder.redirectOutput(Files.createTempFile("gateway-" + id, ".log").toFile());
        }
        Process p = builder.start();
        started.add(p);
        return p;
    }

    private void awaitUp(int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (status(port, ALICE) != 200) {
            assertTrue(System.nanoTime() < deadline, "gateway on " + port + " did not come up");
            Thread.sleep(250);
        }
    }

    private int status(int port, String token) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/session"))
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static int freePort() throws Exception {
        try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
