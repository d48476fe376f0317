package dev.hangar.gateway.fault;

import dev.hangar.contracts.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A Kafka broker of the test's own (KRaft, one node, 127.0.0.1 only), started from the jars the
 * local stack uses ({@code .local/kafka/libs-*}, or {@code HANGAR_KAFKA_LIBS}) with the stack's
 * own broker config ({@code deploy/local/kafka-config.sh}), so it can be killed and restarted.
 */
final class PrivateKafka implements AutoCloseable {
    private final Path dir;
    private final String libs;
    final int port;
    private final int controllerPort;
    private Process process;

    PrivateKafka(Path dir) throws Exception {
        this.dir = dir;
        this.libs = libs();
        this.port = Processes.freePort();
        this.controllerPort = Processes.freePort();
        String config = new String(new ProcessBuilder("sh", "-c", ". \"$1\" && kafka_server_properties 127.0.0.1 127.0.0.1 "
                + port + " " + controllerPort + " \"$2\" 3", "sh",
                Processes.ROOT.resolve("deploy/local/kafka-config.sh").toString(), dir.resolve("data").toString())
                .start().getInputStream().readAllBytes());
        Files.writeString(dir.resolve("server.properties"), config);
        Processes.run(List.of(Processes.JAVA, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", libs,
                "kafka.tools.StorageTool", "format", "-t", "fault-test-cluster-id0", "-c", dir.resolve("server.properties").toString()));
        start();
        try (var admin = admin()) {
            admin.createTopics(List.of(Topics.RUNS_REQUESTED, Topics.RUNS_EVENTS, Topics.RUNS_CONTROL, Topics.RUNS_EVENTS_DLQ)
                    .stream().map(t -> new NewTopic(t, 3, (short) 1)).toList()).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static String libs() throws Exception {
        String fromEnv = System.getenv("HANGAR_KAFKA_LIBS");
        Path found = fromEnv != null ? Path.of(fromEnv) : null;
        if (found == null) {
            Path base = Processes.ROOT.resolve(".local/kafka");
            if (Files.isDirectory(base)) {
                try (var entries = Files.list(base)) {
                    found = entries.filter(p -> p.getFileName().toString().startsWith("libs-")).findFirst().orElse(null);
                }
            }
        }
        if (found == null || !Files.isDirectory(found)) {
            throw new IllegalStateException("no Kafka jars: run `bin/stack up` (it fetches them into .local/kafka/libs-<version>) "
                    + "or set HANGAR_KAFKA_LIBS to such a folder");
        }
        return found.resolve("*").toString();
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    void start() throws Exception {
        process = Processes.start("kafka-" + port, List.of(Processes.JAVA, "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", libs, "kafka.Kafka", dir.resolve("server.properties").toString()), Map.of());
        Processes.awaitPort(process, port, Duration.ofSeconds(60), "the private Kafka broker");
    }

    /** kill -9: no clean shutdown, as when a broker's machine dies. */
    void kill() throws Exception {
        Processes.kill9(process);
    }

    Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrap()));
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            Processes.kill9(process);
        }
    }
}
