package dev.hangar.kit.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A single-node KRaft broker of a test's own, never the shared one: the stack's Kafka jars
 * ({@code .local/kafka/libs-*}, or {@code HANGAR_KAFKA_LIBS}), the stack's one broker
 * configuration ({@code deploy/local/kafka-config.sh}, SASL/SCRAM with the stack's password, so
 * services launched with the stack's environment log in unchanged), free 127.0.0.1 ports. It can
 * be killed (SIGKILL) and started again on the same data.
 */
public final class PrivateKafka implements AutoCloseable {
    private final Path dir;
    private final Path libs;
    private final int port;
    private Process broker;

    /** Formats a broker in {@code dir} (not started). */
    public PrivateKafka(Path dir) throws Exception {
        this.dir = Files.createDirectories(dir);
        Path root = StackCredentials.root();
        this.libs = libs(root);
        this.port = freePort();
        int controller = freePort();
        String password = StackCredentials.kafkaPassword();
        var config = new ProcessBuilder("sh", "-c", ". \"$0\"; kafka_server_properties 127.0.0.1 127.0.0.1 \"$1\" \"$2\" \"$3\" 3 \"$4\"",
                root.resolve("deploy/local/kafka-config.sh").toString(), String.valueOf(port), String.valueOf(controller),
                dir.resolve("data").toString(), password).start();
        Files.write(dir.resolve("server.properties"), config.getInputStream().readAllBytes());
        config.waitFor();
        format(password);
    }

    /**
     * Formats the data folder. A format that fails is tried once more on an emptied folder (a CI
     * run once saw one fail within two seconds, its log gone with the test's folder); the
     * failure says what the tool printed.
     */
    private void format(String password) throws IOException, InterruptedException {
        String clusterId;
        do { // as Kafka's own Uuid.randomUuid: an id that starts with '-' reads as an option to the tool (1 in 64)
            byte[] bytes = new byte[16];
            new SecureRandom().nextBytes(bytes);
            clusterId = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        } while (clusterId.startsWith("-"));
        var command = List.of("kafka.tools.StorageTool", "format", "-t", clusterId,
                "-c", dir.resolve("server.properties").toString(), "--add-scram", "SCRAM-SHA-512=[name=hangar,password=" + password + "]");
        for (int attempt = 1; ; attempt++) {
            var format = java(command);
            if (format.waitFor(60, TimeUnit.SECONDS) && format.exitValue() == 0) {
                return;
            }
            format.destroyForcibly();
            String log = Files.exists(dir.resolve("kafka.log")) ? Files.readString(dir.resolve("kafka.log")) : "(no log)";
            String tail = log.substring(Math.max(0, log.length() - 4000)).replace(password, "<password>");
            if (attempt == 2) {
                throw new IllegalStateException("formatting the private broker failed twice; its log ends:\n" + tail);
            }
            System.err.println("formatting the private broker failed; trying once more. Its log ends:\n" + tail);
            deleteTree(dir.resolve("data"));
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** A started broker with these topics (3 partitions each). */
    public static PrivateKafka started(Path dir, List<String> topics) throws Exception {
        var kafka = new PrivateKafka(dir);
        kafka.start();
        try (var admin = kafka.admin()) {
            admin.createTopics(topics.stream().map(t -> new NewTopic(t, 3, (short) 1)).toList()).all().get(30, TimeUnit.SECONDS);
        }
        return kafka;
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** Client settings for this broker (the stack's credentials). */
    public Map<String, Object> clientProps() {
        return StackCredentials.kafka(bootstrap());
    }

    public Admin admin() {
        return Admin.create(new HashMap<>(clientProps()));
    }

    public void start() throws Exception {
        broker = java(List.of("kafka.Kafka", dir.resolve("server.properties").toString()));
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
        throw new IllegalStateException("the private broker did not listen on " + port + "; see " + dir.resolve("kafka.log"));
    }

    /** SIGKILL, as when a broker's machine dies. */
    public void kill() throws InterruptedException {
        if (broker != null && broker.isAlive()) {
            broker.destroyForcibly();
            broker.waitFor();
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    private Process java(List<String> main) throws IOException {
        var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", libs + "/*"));
        command.addAll(main);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("kafka.log").toFile())).start();
    }

    private static Path libs(Path root) throws IOException {
        String set = System.getenv("HANGAR_KAFKA_LIBS");
        if (set != null && !set.isBlank()) {
            return Path.of(set);
        }
        Path base = root.resolve(".local/kafka");
        if (Files.isDirectory(base)) {
            try (var entries = Files.list(base)) {
                var found = entries.filter(p -> p.getFileName().toString().startsWith("libs-") && Files.isDirectory(p)).findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
            }
        }
        throw new IllegalStateException("no Kafka jars: run bin/stack up (it fetches them into .local/kafka/libs-<version>) "
                + "or set HANGAR_KAFKA_LIBS to such a folder");
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
