package dev.hangar.gateway;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * This tree's storage service as a process of its own on a free loopback port, against the
 * stack's S3 (the shared stack's storage service is main's, which lacks what checkpoints need:
 * DELETE). Built by {@code mvn -pl storage-service,gateway-service -am verify}; ended by its PID.
 */
public class StorageProcess implements QuarkusTestResourceLifecycleManager {
    static volatile String url;
    private Process process;

    @Override
    public Map<String, String> start() {
        Path jar = Path.of("..", "storage-service", "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build with -pl storage-service,gateway-service -am");
        }
        try {
            int port;
            try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            Path log = Path.of("target", "storage-process.log");
            Files.createDirectories(log.getParent());
            process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx192m",
                    "-XX:TieredStopAtLevel=1", "-Dquarkus.http.port=" + port, "-Dquarkus.log.console.json.enabled=false",
                    "-jar", jar.toString())).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            url = "http://127.0.0.1:" + port;
            awaitReady(log);
            return Map.of("quarkus.rest-client.storage.url", url);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the storage service: " + e.getMessage(), e);
        }
    }

    private void awaitReady(Path log) throws IOException {
        var http = HttpClient.newHttpClient();
        long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < until) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the storage service exited at start; see " + log + ":\n" + Files.readString(log));
            }
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("the storage service did not get ready in 90 s; see " + log);
    }

    @Override
    public void stop() {
        if (process != null) {
            process.destroy();
            try {
                process.waitFor(java.util.concurrent.TimeUnit.SECONDS.toMillis(10), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process.destroyForcibly();
        }
    }
}
