package dev.hangar.kit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The local stack's generated credentials, for tests that talk to its Kafka or PostgreSQL with
 * their own clients: the environment {@code bin/test} sets, or else the keys {@code bin/stack}
 * keeps in {@code .local/keys/} of the checkout the test runs in.
 */
public final class StackCredentials {
    private StackCredentials() {}

    public static String kafkaPassword() {
        return value("KAFKA_PASSWORD", "kafka-password");
    }

    /** What the stack's services present to each other (registry, storage, the gateway's internal port). */
    public static String internalToken() {
        return value("HANGAR_INTERNAL_TOKEN", "internal-token");
    }

    public static String dbPassword() {
        return value("HANGAR_DB_PASSWORD", "db-password");
    }

    /** Client properties for a broker that authenticates as the stack's does (user hangar, SCRAM). */
    public static Map<String, Object> kafka(String bootstrapServers) {
        var props = new HashMap<String, Object>();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("security.protocol", "SASL_PLAINTEXT");
        props.put("sasl.mechanism", "SCRAM-SHA-512");
        props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"hangar\" "
                + "password=\"" + kafkaPassword() + "\";");
        return props;
    }

    /** The stack's own broker, 127.0.0.1:9092. */
    public static Map<String, Object> kafka() {
        return kafka("127.0.0.1:9092");
    }

    /** The checkout the test runs in: the nearest folder up from here that has {@code bin/stack}. */
    public static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("bin/stack"))) {
                return dir;
            }
        }
        throw new IllegalStateException("not inside a Hangar checkout (no bin/stack above " + Path.of("").toAbsolutePath() + ")");
    }

    private static String value(String env, String key) {
        String set = System.getenv(env);
        if (set != null && !set.isBlank()) {
            return set;
        }
        Path file = root().resolve(".local/keys").resolve(key);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(env + " is not set and there is no " + file + ": run bin/stack up (and the tests with bin/test)");
        }
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
