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

/** Jobs written to Kafka by a plain producer run like REST ones; poison records go to the DLQ. */
class KafkaEntryIT {

    @BeforeAll
    static void push() throws Exception {
        assertEquals(0, Stack.hangar("push", "examples/processors/echo").exit());
    }

    static String command(String id, String inputs) {
        return "{\"schema_version\":1,\"execution_id\":\"" + id + "\",\"attempt\":1,\"ref\":\"examples/echo@1\","
                + "\"inputs\":" + inputs + "}";
    }

    static JsonNode awaitEnvelope(String id) {
        var holder = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().untilAsserted(() -> {
            var answer = Stack.get("/v1/runs/" + id);
            assertEquals(200, answer.statusCode(), answer.body());
            holder[0] = Json.MAPPER.readTree(answer.body());
            assertTrue(List.of("success", "error", "canceled").contains(holder[0].path("status").asText()), answer.body());
        });
        return holder[0];
    }

    @Test
    void aPlainProducerRecordRunsAndIsVisibleOverRest() throws Exception {
        String id = "kafka-" + UUID.randomUUID();
        try (var producer = Stack.producer()) {
            producer.send(new ProducerRecord<>(Topics.RUNS_REQUESTED, id,
                    command(id, "{\"schema\":\"v1\",\"params\":{\"messages\":[{\"role\":\"user\",\"content\":\"via kafka\"}]}}"))).get();
        }
        JsonNode envelope = awaitEnvelope(id);
        assertEquals("success", envelope.path("status").asText(), envelope.toString());
        assertEquals("/artifacts/outputs/examples-echo-v1/" + id + "/output.json", envelope.path("outputs").get(0).path("path").asText());
    }

    @Test
    void aWellFormedCommandWithBadInputsEndsInAnErrorEnvelope() throws Exception {
        String id = "kafka-" + UUID.randomUUID();
        try (var producer = Stack.producer()) {
            producer.send(new ProducerRecord<>(Topics.RUNS_REQUESTED, id, command(id, "{\"schema\":\"v9\"}"))).get();
        }
        JsonNode envelope = awaitEnvelope(id);
        assertEquals("error", envelope.path("status").asText());
        assertEquals("ERR_INPUT_INVALID", envelope.path("error").path("code").asText());
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
            String good = "kafka-" + UUID.randomUUID();
            producer.send(new ProducerRecord<>(Topics.RUNS_REQUESTED, good,
                    command(good, "{\"schema\":\"v1\",\"params\":{\"messages\":[{\"role\":\"user\",\"content\":\"after poison\"}]}}"))).get();

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
            assertEquals("success", awaitEnvelope(good).path("status").asText(), "the consumer kept going");
        }
    }

    /** Reads the DLQ from its current end. */
    static KafkaConsumer<String, String> dlqConsumer() {
        var props = new Properties();
        props.putAll(StackCredentials.kafka());
        props.putAll(Map.of("group.id", "e2e-dlq-" + UUID.randomUUID(),
                "key.deserializer", StringDeserializer.class.getName(), "value.deserializer", StringDeserializer.class.getName(),
                "auto.offset.reset", "latest"));
        var consumer = new KafkaConsumer<String, String>(props);
        var partitions = consumer.partitionsFor(Topics.RUNS_REQUESTED_DLQ).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }
}
