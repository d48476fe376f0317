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
    /** The SASL_SSL listener's port; -1 without one. */
    private final int sslPort;
    private Process broker;

    /** Formats a broker in {@code dir} (not started). */
    public PrivateKafka(Path dir) throws Exception {
        this(dir, null);
    }

    /**
     * Formats a broker in {@code dir} (not started) that also has a SASL_SSL listener serving
     * {@code tls}'s certificate (docs/tls.md), when {@code tls} is not null: same user, same
     * password, TLS underneath. The SASL_PLAINTEXT listener stays for the broker's own traffic.
     */
    public PrivateKafka(Path dir, TestCertificates.Server tls) throws Exception {
        this.dir = Files.createDirectories(dir);
        Path root = StackCredentials.root();
        this.libs = libs(root);
        this.port = freePort();
        int controller = freePort();
        String password = StackCredentials.kafkaPassword();
        var config = new ProcessBuilder("sh", "-c", ". \"$0\"; kafka_server_properties 127.0.0.1 127.0.0.1 \"$1\" \"$2\" \"$3\" 3 \"$4\"",
                root.resolve("deploy/local/kafka-config.sh").toString(), String.valueOf(port), String.valueOf(controller),
                dir.resolve("data").toString(), password).start();
        String properties = new String(config.getInputStream().readAllBytes());
        config.waitFor();
        this.sslPort = tls == null ? -1 : freePort();
        Files.writeString(dir.resolve("server.properties"), tls == null ? properties : withSsl(properties, tls, password));
        format(password);
    }

    /** The stack's one broker configuration with a SASL_SSL listener added (a PEM key store: key and chain in one file). */
    private String withSsl(String properties, TestCertificates.Server tls, String password) throws IOException {
        String ssl = "SASL_SSL://127.0.0.1:" + sslPort;
        var lines = new ArrayList<String>();
        for (String line : properties.lines().toList()) {
            if (line.startsWith("listeners=") || line.startsWith("advertised.listeners=")) {
                line = line + "," + ssl;
            } else if (line.startsWith("listener.security.protocol.map=")) {
                line = line + ",SASL_SSL:SASL_SSL";
            }
            lines.add(line);
        }
        lines.add("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
                + "required username=\"hangar\" password=\"" + password + "\";");
        lines.add("listener.name.sasl_ssl.ssl.keystore.type=PEM");
        lines.add("listener.name.sasl_ssl.ssl.keystore.location=" + tls.keyAndChain());
        return String.join("\n", lines) + "\n";
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

    /** The SASL_SSL listener, {@code 127.0.0.1:<port>} (a broker made with a certificate only). */
    public String sslBootstrap() {
        if (sslPort < 0) {
            throw new IllegalStateException("this broker has no SASL_SSL listener: make it with a certificate");
        }
        return "127.0.0.1:" + sslPort;
    }

    /** Client settings for the SASL_SSL listener, trusting {@code ca} (PEM), as a service's with {@code HANGAR_TLS_CA_FILE}. */
    public Map<String, Object> sslClientProps(Path ca) {
        var props = new HashMap<>(StackCredentials.kafka(sslBootstrap()));
        props.put("security.protocol", "SASL_SSL");
        props.put("ssl.truststore.type", "PEM");
        props.put("ssl.truststore.location", ca.toString());
        return props;
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
