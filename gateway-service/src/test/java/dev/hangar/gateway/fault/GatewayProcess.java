package dev.hangar.gateway.fault;

import dev.hangar.kit.testing.StackCredentials;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * This tree's gateway ({@code target/quarkus-app/quarkus-run.jar}, built by {@code package}
 * before the ITs run) as a real process on a free port, with its own database and Kafka.
 */
final class GatewayProcess implements AutoCloseable {
    static final String TOKEN = "fault-test-token-0123456789";
    static final String OWNER = "fault";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final String instanceId;
    final int port;
    private final Map<String, String> properties;
    private Process process;

    GatewayProcess(String instanceId, String kafka, String jdbcUrl, Map<String, String> extra) throws Exception {
        this.instanceId = instanceId;
        this.port = Processes.freePort();
        properties = new LinkedHashMap<>();
        properties.put("quarkus.http.port", String.valueOf(port));
        properties.put("kafka.bootstrap.servers", kafka);
        properties.put("quarkus.datasource.jdbc.url", jdbcUrl);
        properties.put("hangar.gateway.instance-id", instanceId);
        properties.put("hangar.gateway.public-url", "http://127.0.0.1:" + port);
        properties.put("hangar.gateway.bootstrap-tokens", OWNER + "=" + TOKEN);
        properties.put("hangar.gateway.secrets-key", "fault-test-secrets-key-0123456789");
        // the stack's: this gateway asks the stack's registry for specs
        properties.put("hangar.gateway.internal-token", StackCredentials.internalToken());
        properties.put("hangar.gateway.internal-port", "0");
        properties.put("quarkus.log.console.json.enabled", "false");
        properties.put("quarkus.otel.sdk.disabled", "true");
        properties.putAll(extra);
        start();
    }

    void start() throws Exception {
        var command = new ArrayList<>(List.of(Processes.JAVA, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", Processes.ROOT.resolve("gateway-service/target/quarkus-app/quarkus-run.jar").toString()));
        process = Processes.start("gateway-" + instanceId, command, Map.of());
        Processes.awaitPort(process, port, Duration.ofSeconds(90), "gateway " + instanceId);
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    HttpResponse<String> post(String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** kill -9: no shutdown hooks, no offset commit, sockets cut. */
    void kill() throws Exception {
        Processes.kill9(process);
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            Processes.kill9(process);
        }
    }
}
