package dev.hangar.gateway.deploy;

import dev.hangar.kit.testing.StackCredentials;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The registry service of this tree (the stack's registry predates deployments), started as a
 * process of its own on a free loopback port with the deploy helper's test database, and the
 * test profile that points the gateway at it, with auth on (alice and bob) and deploy topics of
 * the test's own, created before the gateway subscribes.
 */
public final class OwnRegistry implements QuarkusTestProfile {
    static final String EVENTS_TOPIC = "gateway-test-deploy-events-" + UUID.randomUUID();
    static final String REQUESTED_TOPIC = "gateway-test-deploy-requested-" + UUID.randomUUID();
    private static String url;
    private static Process process;

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            createTopics();
            return Map.of("hangar.gateway.auth-enabled", "true",
                    "hangar.gateway.bootstrap-tokens", "alice=alice-token-for-tests,bob=bob-token-for-tests",
                    "quarkus.rest-client.registry.url", start(),
                    "mp.messaging.incoming.deploy-events.topic", EVENTS_TOPIC,
                    "mp.messaging.outgoing.deploy-requests.topic", REQUESTED_TOPIC);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start this tree's registry service: " + e, e);
        }
    }

    private static void createTopics() throws Exception {
        try (var admin = Admin.create(new HashMap<>(StackCredentials.kafka()))) {
            admin.createTopics(List.of(new NewTopic(EVENTS_TOPIC, 1, (short) 1), new NewTopic(REQUESTED_TOPIC, 1, (short) 1))).all().get();
        }
    }

    static synchronized String start() throws Exception {
        if (url != null) {
            return url;
        }
        Path jar = Path.of("..", "registry-service", "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().normalize();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build registry-service first (mvn -pl registry-service -am package)");
        }
        int port;
        try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path log = Files.createTempFile("deploy-registry-", ".log");
        var builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.datasource.jdbc.url=jdbc:postgresql://127.0.0.1:5432/"
                        // a helper's own database where several trees run this at once
                        + System.getenv().getOrDefault("HANGAR_OWN_REGISTRY_DB", "hangar_registry_test_deploy"),
                "-Dquarkus.log.console.json.enabled=false", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("HANGAR_INTERNAL_TOKEN", StackCredentials.internalToken());
        process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> process.destroy()));
        String base = "http://127.0.0.1:" + port;
        Instant deadline = Instant.now().plusSeconds(180);
        try (HttpClient http = HttpClient.newHttpClient()) {
            while (Instant.now().isBefore(deadline)) {
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/live")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        url = base;
                        return url;
                    }
                } catch (java.io.IOException notYet) {
                    // still starting
                }
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(Duration.ofMillis(300));
            }
        }
        throw new IllegalStateException("the registry did not start: " + Files.readString(log));
    }
}
