package dev.hangar.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.Topics;
import dev.hangar.kit.testing.StackCredentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A real-mode run whose processor puts its secret into every channel it has (stdout, stderr, a
 * token, a progress message, its error) and keeps its container: afterwards the canary is in no
 * event on the bus, no envelope, no line the CLI printed, no service log, no database row, no S3
 * object and not in {@code docker inspect} of the kept container.
 */
class CanarySecretIT {
    static final String MASK = "**redacted**";

    @Test
    void aSecretTheProcessorLeaksIsStoredNowhere() throws Exception {
        Instant start = Instant.now();
        String canary = "canary-" + UUID.randomUUID();
        var push = Stack.hangar("push", "--override", "e2e/src/test/resources/processors/canary", "--json");
        assertEquals(0, push.exit(), push.err());
        assertEquals(0, Stack.hangarWithInput(canary, "secrets", "set", "CANARY_SECRET").exit());
        var ids = new ArrayList<String>();
        try {
            var failed = run("{\"fail\":true}", ids);
            assertEquals(1, failed.exit(), "the processor fails on purpose: " + failed.err());
            assertTrue(failed.json().path("error").path("message").asText().contains(MASK), failed.out());
            var succeeded = run("{\"fail\":false}", ids);
            assertEquals(0, succeeded.exit(), succeeded.err());
            for (var run : List.of(failed, succeeded)) {
                var types = new TreeSet<String>();
                run.ndjson().forEach(e -> types.add(e.path("event").path("type").asText()));
                assertTrue(types.containsAll(Set.of("log", "token", "progress")), "the processor reached every channel: " + types);
                assertTrue(run.err().contains(MASK), "the masked values are shown as masked");
                assertNowhere(canary, "what the CLI printed", run.out() + run.err());
            }
            for (String id : ids) {
                assertNowhere(canary, "the run's records on " + Topics.RUNS_EVENTS, String.join("\n", eventsOf(id)));
                String kept = container(id);
                assertFalse(kept.isBlank(), "keep_container kept the container");
                assertNowhere(canary, "docker inspect of the kept container", docker("inspect", kept));
            }
            for (String db : List.of("hangar_gateway", "hangar_registry")) {
                assertNowhere(canary, "database " + db, dump(db));
            }
            try (Stream<Path> logs = Files.list(Stack.ROOT.resolve(".local/logs"))) {
                for (Path log : logs.filter(Files::isRegularFile).toList()) {
                    assertNowhere(canary, log.toString(), Files.readString(log, StandardCharsets.ISO_8859_1));
                }
            }
            try (var s3 = Stack.s3()) {
                var fresh = s3.listObjectsV2Paginator(b -> b.bucket(Stack.BUCKET)).contents().stream()
                        .filter(o -> o.lastModified().isAfter(start.minusSeconds(5))).toList();
                assertFalse(fresh.isEmpty(), "the successful run wrote its output and index to S3");
                for (var object : fresh) {
                    String body = s3.getObjectAsBytes(b -> b.bucket(Stack.BUCKET).key(object.key())).asString(StandardCharsets.ISO_8859_1);
                    assertNowhere(canary, "s3://" + Stack.BUCKET + "/" + object.key(), body);
                }
            }
        } finally {
            Stack.hangar("secrets", "rm", "CANARY_SECRET");
            for (String id : ids) {
                String kept = container(id);
                if (!kept.isBlank()) {
                    docker("rm", "-f", kept);
                }
            }
        }
    }

    /** A real-mode run of the canary that keeps its container; its id joins {@code ids}. */
    static Stack.Result run(String inputs, List<String> ids) throws Exception {
        var run = Stack.hangar("run", "--ref", "e2e/canary@1", "--mode", "real", "--inputs-json", inputs,
                "--adapter-opts-json", "{\"keep_container\":true}", "--json");
        ids.add(run.json().path("execution_id").asText());
        return run;
    }

    static void assertNowhere(String canary, String where, String text) {
        assertFalse(text.contains(canary), "the secret leaked into " + where);
    }

    /** Every record of the run on the events topic, read from the beginning. */
    static List<String> eventsOf(String executionId) {
        var props = new Properties();
        props.putAll(StackCredentials.kafka());
        props.putAll(Map.of("group.id", "e2e-canary-" + UUID.randomUUID(), "key.deserializer", StringDeserializer.class.getName(),
                "value.deserializer", StringDeserializer.class.getName()));
        var values = new ArrayList<String>();
        try (var consumer = new KafkaConsumer<String, String>(props)) {
            var partitions = consumer.partitionsFor(Topics.RUNS_EVENTS).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (var record : consumer.poll(Duration.ofSeconds(1))) {
                    if (executionId.equals(record.key())) {
                        values.add(record.value());
                    }
                }
            }
        }
        assertFalse(values.isEmpty(), "the run's events are on the bus");
        return values;
    }

    /** Every row of every table of a database, as text. */
    static String dump(String database) throws Exception {
        var text = new StringBuilder();
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + database, "hangar", StackCredentials.dbPassword());
             var tables = c.createStatement().executeQuery("SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'")) {
            var names = new ArrayList<String>();
            while (tables.next()) {
                names.add(tables.getString(1));
            }
            for (String table : names) {
                try (var rows = c.createStatement().executeQuery("SELECT t::text FROM " + table + " t")) {
                    while (rows.next()) {
                        text.append(rows.getString(1)).append('\n');
                    }
                }
            }
        }
        return text.toString();
    }

    static String container(String executionId) throws Exception {
        return docker("ps", "-aq", "--filter", "label=dev.hangar.execution_id=" + executionId).strip();
    }

    static String docker(String... args) throws Exception {
        var command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return out;
    }
}
