package dev.hangar.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Topics;
import dev.hangar.kit.testing.StackCredentials;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Jobs submitted on Kafka by a plain producer ({@code hangar.runs.submit}, with a token header) run
 * like REST ones, as the token's owner; without a valid token nothing runs; commands written
 * straight to the executors' topic belong to nobody; poison records go to the DLQ.
 */
class KafkaEntryIT {

    @BeforeAll
    static void push() throws Exception {
        assertEquals(0, Stack.hangar("push", "--override", "examples/processors/echo").exit());
    }

    static String command(String id, String inputs) {
        return "{\"schema_version\":1,\"execution_id\":\"" + id + "\",\"attempt\":1,\"ref\":\"examples/echo@1\","
                + "\"inputs\":" + inputs + "}";
    }

    /** A run request for {@link Topics#RUNS_SUBMIT}, written below a folder named after {@code marker} so its run can be found. */
    static String request(String marker, String inputs) {
        return "{\"ref\":\"examples/echo@1\",\"write_prefix\":\"/artifacts/e2e-bus/" + marker + "/{execution_id}\",\"inputs\":" + inputs + "}";
    }

    static ProducerRecord<String, String> submission(String key, String value, String token) {
        var record = new ProducerRecord<>(Topics.RUNS_SUBMIT, key, value);
        if (token != null) {
            record.headers().add(Topics.AUTHORIZATION_HEADER, ("Bearer " + token).getBytes(StandardCharsets.UTF_8));
        }
        return record;
    }

    /** The envelope of the local owner's run whose outputs lie below the marker's folder. */
    static JsonNode awaitEnvelopeBelow(String marker) {
        var holder = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            holder[0] = null;
            for (JsonNode run : Json.MAPPER.readTree(Stack.get("/v1/runs?limit=100").body())) {
                JsonNode detail = Json.MAPPER.readTree(Stack.get("/v1/runs/" + run.path("execution_id").asText()).body());
                if (detail.path("index_path").asText().startsWith("/artifacts/e2e-bus/" + marker + "/")) {
                    holder[0] = detail;
                }
            }
            assertTrue(holder[0] != null, "no finished run below " + marker + " yet");
        });
        return holder[0];
    }

    @Test
    void aProducerRecordWithAValidTokenRunsAsItsOwnerAndIsVisibleOverRest() throws Exception {
        String marker = UUID.randomUUID().toString();
        try (var producer = Stack.producer()) {
            producer.send(submission(marker, request(marker,
                    "{\"schema\":\"v1\",\"params\":{\"messages\":[{\"role\":\"user\",\"content\":\"via kafka\"}]}}"),
                    Stack.token())).get();
        }
        JsonNode envelope = awaitEnvelopeBelow(marker);
        assertEquals("success", envelope.path("status").asText(), envelope.toString());
        String id = envelope.path("execution_id").asText();
        assertEquals("/artifacts/e2e-bus/" + marker + "/" + id + "/output.json", envelope.path("outputs").get(0).path("path").asText());
    }

    @Test
    void aSubmissionWithoutAValidTokenOrWithBadInputsIsDeadLetteredAndRunsNothing() throws Exception {
        String marker = UUID.randomUUID().toString();
        try (var consumer = dlqConsumer(Topics.RUNS_SUBMIT_DLQ); var producer = Stack.producer()) {
            String good = "{\"schema\":\"v1\",\"params\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}";
            producer.send(submission("anon-" + marker, request(marker, good), null)).get();
            producer.send(submission("forged-" + marker, request(marker, good), "hgr_forged")).get();
            producer.send(submission("badinputs-" + marker, request(marker, "{\"schema\":\"v9\"}"), Stack.token())).get();
            var reasons = new HashMap<String, String>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.key() != null && record.key().endsWith(marker)) {
                        assertEquals(null, record.headers().lastHeader(Topics.AUTHORIZATION_HEADER), "no token in the DLQ");
                        reasons.put(record.key(), new String(record.headers().lastHeader(Topics.DLQ_REASON_HEADER).value(),
                                StandardCharsets.UTF_8));
                    }
                }
                return reasons.size() == 3;
            });
            assertTrue(reasons.get("anon-" + marker).startsWith("ERR_UNAUTHORIZED"), reasons.toString());
            assertTrue(reasons.get("forged-" + marker).startsWith("ERR_UNAUTHORIZED"), reasons.toString());
            assertTrue(reasons.get("badinputs-" + marker).startsWith("ERR_INPUT_INVALID"), reasons.toString());
        }
    }

    @Test
    void aCommandWrittenStraightToTheExecutorsTopicBelongsToNobody() throws Exception {
        String id = "kafka-" + UUID.randomUUID();
        try (var producer = Stack.producer()) {
            producer.send(new ProducerRecord<>(Topics.RUNS_REQUESTED, id, command(id, "{\"schema\":\"v9\"}"))).get();
        }
        // the executor runs (and fails) it, but no tenant sees it: not by id, not in the list
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> Stack.get("/v1/runs/" + id).statusCode() == 404);
        assertTrue(!Stack.get("/v1/runs?limit=1000").body().contains(id));
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicWithAReasonAndTheConsumerGoesOn() throws Exception {
        String marker = UUID.randomUUID().toString();
        Map<String, String> poison = Map.of(
                "notjson-" + marker, "this is { not json",
                "nocommand-" + marker, "{\"schema_version\":1,\"execution_id\":\"nocommand-" + marker + "\",\"attempt\":1}",
                "unknownfield-" + marker, "{\"schema_version\":1,\"execution_id\":\"x-" + marker + "\",\"attempt\":1,\"ref\":\"examples/echo@1\",\"colour\":\"red\"}");
        try (var consumer = dlqConsumer(); var producer = Stack.producer()) {
            for (var e : poison.entrySet()) {
                producer.send(new ProducerRecord<>(Topics.RUNS_REQUESTED, e.getKey(), e.getValue())).get();
            }
            // a good run after the poison, submitted as the local owner so the test can see it end
            String good = UUID.randomUUID().toString();
            producer.send(submission(good, request(good,
                    "{\"schema\":\"v1\",\"params\":{\"messages\":[{\"role\":\"user\",\"content\":\"after poison\"}]}}"),
                    Stack.token())).get();

            var reasons = new HashMap<String, String>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    var header = record.headers().lastHeader(Topics.DLQ_REASON_HEADER);
                    if (record.key() != null && poison.containsKey(record.key())) {
                        assertEquals(poison.get(record.key()), record.value(), "the record is kept unchanged");
                        reasons.put(record.key(), header == null ? "" : new String(header.value(), StandardCharsets.UTF_8));
                    }
                }
                return reasons.size() == poison.size();
            });
            reasons.forEach((key, reason) -> assertTrue(reason.contains("RunRequested") || reason.contains("record"),
                    key + " reason: " + reason));
            assertTrue(reasons.get("nocommand-" + marker).contains("ref"), reasons.toString());
            assertTrue(reasons.get("unknownfield-" + marker).contains("colour"), reasons.toString());
            assertEquals("success", awaitEnvelopeBelow(good).path("status").asText(), "the consumer kept going");
        }
    }

    /** Reads the DLQ from its current end. */
    static KafkaConsumer<String, String> dlqConsumer() {
        return dlqConsumer(Topics.RUNS_REQUESTED_DLQ);
    }

    static KafkaConsumer<String, String> dlqConsumer(String topic) {
        var props = new Properties();
        props.putAll(StackCredentials.kafka());
        props.putAll(Map.of("group.id", "e2e-dlq-" + UUID.randomUUID(),
                "key.deserializer", StringDeserializer.class.getName(), "value.deserializer", StringDeserializer.class.getName(),
                "auto.offset.reset", "latest"));
        var consumer = new KafkaConsumer<String, String>(props);
        var partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }
}
