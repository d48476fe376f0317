package dev.hangar.e2e;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A single-node KRaft broker of a test's own, from the stack's Kafka jars, with the stack's one
 * broker configuration (deploy/local/kafka-config.sh), on free 127.0.0.1 ports; it can be
 * killed and started again on the same data. Never the shared broker.
 */
final class PrivateKafka implements AutoCloseable {
    final int port;
    private final Path dir;
    private final Path libs;
    private Process broker;

    PrivateKafka(Path dir) throws Exception {
        this.dir = dir;
        this.libs = Path.of(System.getenv().getOrDefault("HANGAR_KAFKA_LIBS",
                Stack.ROOT.resolve(".local/kafka/libs-4.3.1").toString()));
        if (!Files.isDirectory(libs)) {
            throw new IllegalStateException("no Kafka jars at " + libs + ": run bin/stack up once, or set HANGAR_KAFKA_LIBS");
        }
        this.port = ServiceProcess.freePort();
        int controller = ServiceProcess.freePort();
        var config = new ProcessBuilder("sh", "-c", ". \"$0\"; kafka_server_properties 127.0.0.1 127.0.0.1 \"$1\" \"$2\" \"$3\" 1",
                Stack.ROOT.resolve("deploy/local/kafka-config.sh").toString(), String.valueOf(port), String.valueOf(controller),
                dir.resolve("data").toString()).start();
        Files.write(dir.resolve("server.properties"), config.getInputStream().readAllBytes());
        config.waitFor();
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        run(List.of("kafka.tools.StorageTool", "format", "-t", Base64.getUrlEncoder().withoutPadding().encodeToString(id),
                "-c", dir.resolve("server.properties").toString())).waitFor(60, TimeUnit.SECONDS);
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    void start() throws Exception {
        broker = run(List.of("kafka.Kafka", dir.resolve("server.properties").toString()));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            try (var probe = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!broker.isAlive()) {
                    throw new IllegalStateException("the private broker exited; see " + dir.resolve("kafka.log"));
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the private broker did not listen on " + port);
    }

    /** SIGKILL, as a crashed broker. */
    void kill() throws InterruptedException {
        if (broker != null && broker.isAlive()) {
            broker.destroyForcibly();
            broker.waitFor();
        }
    }

    private Process run(List<String> main) throws IOException {
        var command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-cp", libs + "/*"));
        command.addAll(main);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("kafka.log").toFile())).start();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
