package dev.hangar.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.Topics;
import dev.hangar.kit.testing.StackCredentials;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Events are stored a poll at a time, in one transaction per batch: every event of many runs
 * arrives, and an unreadable record among them goes to the dead-letter topic
 * (this app's own) without holding back the readable ones.
 */
@QuarkusTest
@TestProfile(EventBatchTest.OwnDeadLetters.class)
class EventBatchTest {
    static final String DLQ = "gateway-test-events-dlq-" + UUID.randomUUID();

    /** A dead-letter topic of this test's own: the stack's gateway dead-letters the same garbage elsewhere. */
    public static class OwnDeadLetters implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.messaging.incoming.run-events.dead-letter-queue.topic", DLQ);
        }
    }

    @Inject
    AgroalDataSource db;

    @Test
    void aBatchOfManyRunsIsStoredWholeAndAnUnreadableRecordIsDeadLetteredAlone() throws Exception {
        String prefix = "r-batch" + Long.toString(System.nanoTime(), 36);
        String garbageKey = prefix + "-garbage";
        int runs = 30;
        int perRun = 12;
        try (var producer = TestStack.producer(); var dlq = consumer(DLQ)) {
            for (int seq = 1; seq <= perRun; seq++) {
                for (int r = 0; r < runs; r++) {
                    String id = prefix + "-" + r;
                    producer.send(new ProducerRecord<>(Topics.RUNS_EVENTS, id, Json.write(RunEvent.of(id, 1, seq, null,
                            new RunEvent.Log("stdout", "line " + seq)))));
                }
                if (seq == perRun / 2) {
                    producer.send(new ProducerRecord<>(Topics.RUNS_EVENTS, garbageKey, "{not an event"));
                }
            }
            producer.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> stored(prefix + "-%") == (long) runs * perRun);
            for (int r = 0; r < runs; r++) {
                assertEquals(LongStream.rangeClosed(1, perRun).boxed().toList(), seqs(prefix + "-" + r), "every event of run " + r);
            }
            var reasons = new ArrayList<String>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (var record : dlq.poll(Duration.ofMillis(200))) {
                    if (garbageKey.equals(record.key())) {
                        var header = record.headers().lastHeader(Topics.DLQ_REASON_HEADER);
                        reasons.add(header == null ? "" : new String(header.value(), StandardCharsets.UTF_8));
                        assertEquals("{not an event", record.value());
                    }
                }
                return !reasons.isEmpty();
            });
            assertTrue(reasons.getFirst().startsWith("ERR_COMMAND_INVALID"), reasons.toString());
            assertEquals(0, stored(garbageKey), "nothing of the unreadable record was stored");
        }
    }

    private long stored(String like) throws Exception {
        try (var c = db.getConnection(); var ps = c.prepareStatement("SELECT count(*) FROM run_events WHERE execution_id LIKE ?")) {
            ps.setString(1, like);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private List<Long> seqs(String id) throws Exception {
        try (var c = db.getConnection(); var ps = c.prepareStatement("SELECT seq FROM run_events WHERE execution_id = ? ORDER BY seq")) {
            ps.setString(1, id);
            var seqs = new ArrayList<Long>();
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    seqs.add(rs.getLong(1));
                }
            }
            return seqs;
        }
    }

    private static KafkaConsumer<String, String> consumer(String topic) {
        var props = new Properties();
        props.putAll(StackCredentials.kafka());
        props.putAll(Map.of("group.id", "gwtest-batch-" + UUID.randomUUID(), "auto.offset.reset", "earliest",
                "key.deserializer", StringDeserializer.class.getName(), "value.deserializer", StringDeserializer.class.getName()));
        var consumer = new KafkaConsumer<String, String>(props);
        consumer.subscribe(List.of(topic));
        return consumer;
    }
}
