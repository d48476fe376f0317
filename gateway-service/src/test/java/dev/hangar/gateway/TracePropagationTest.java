package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunRequested;
import dev.hangar.contracts.Topics;
import dev.hangar.kit.testing.StackCredentials;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A submission is one trace: the REST span, the Kafka producer span of the command, the record's
 * {@code traceparent} header and the command's own {@code traceparent} field all carry its trace id.
 */
@QuarkusTest
class TracePropagationTest {
    /** This test app's own commands topic (see %test in application.properties). */
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "mp.messaging.outgoing.run-requests.topic")
    String commands;

    static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}}}";

    @Inject
    InMemorySpanExporter spans;

    @BeforeAll
    static void registerProcessor() throws Exception {
        TestStack.register("gwtest/traced@1", SCHEMA);
    }

    @Test
    void aSubmissionIsOneTraceFromRestToTheCommandOnKafka() throws Exception {
        try (var consumer = commandsFromNowOn()) {
            String id = given().contentType("application/json").body("{\"ref\":\"gwtest/traced@1\",\"inputs\":{\"text\":\"hi\"}}")
                    .when().post("/v1/runs").then().statusCode(202).extract().path("execution_id");

            ConsumerRecord<String, String> record = awaitCommand(consumer, id);
            RunRequested command = Json.read(record.value(), RunRequested.class);
            String traceId = command.traceparent().split("-")[1];
            var header = record.headers().lastHeader("traceparent");
            assertNotNull(header, "SmallRye puts the producer span's context in the record's headers");
            assertEquals(traceId, new String(header.value(), StandardCharsets.UTF_8).split("-")[1]);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                List<SpanData> trace = spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).toList();
                var server = trace.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst();
                assertTrue(server.isPresent(), "the REST span: " + names(trace));
                assertEquals("POST /v1/runs", server.get().getName());
                assertEquals(id, server.get().getAttributes().asMap().entrySet().stream()
                        .filter(e -> e.getKey().getKey().equals("execution_id")).findFirst().orElseThrow().getValue());
                assertTrue(trace.stream().anyMatch(s -> s.getKind() == SpanKind.PRODUCER
                        && s.getName().contains(commands)), "the Kafka producer span: " + names(trace));
                assertTrue(trace.stream().anyMatch(s -> s.getKind() == SpanKind.CLIENT), "the registry call: " + names(trace));
            });
        }
    }

    @Test
    void anAppliedEventIsFannedOutInItsOwnSpan() throws Exception {
        String id = "r-traced" + UUID.randomUUID().toString().replace("-", "");
        try (var producer = TestStack.producer()) {
            TestStack.send(producer, Topics.RUNS_EVENTS, id, Json.write(dev.hangar.contracts.RunEvent.of(id, 1, 1, null,
                    new dev.hangar.contracts.RunEvent.Log("stdout", "traced line"))));
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            var fanout = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("hangar.stream.fanout")
                    && id.equals(s.getAttributes().asMap().entrySet().stream().filter(e -> e.getKey().getKey().equals("execution_id"))
                            .map(e -> String.valueOf(e.getValue())).findFirst().orElse(null))).findFirst();
            assertTrue(fanout.isPresent(), "the fan-out span of " + id);
            String traceId = fanout.get().getTraceId();
            assertTrue(spans.getFinishedSpanItems().stream().anyMatch(s -> s.getTraceId().equals(traceId)
                    && s.getKind() == SpanKind.CONSUMER), "fanned out inside the Kafka consumer span's trace");
        });
    }

    private static List<String> names(List<SpanData> trace) {
        return trace.stream().map(s -> s.getKind() + " " + s.getName()).toList();
    }

    /** A consumer positioned at the end of every partition of the commands topic. */
    private KafkaConsumer<String, String> commandsFromNowOn() throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(new java.util.HashMap<>(StackCredentials.kafka()))) {
            if (!admin.listTopics().names().get().contains(commands)) {
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(commands, 3, (short) 1))).all().get();
            }
        }
        var props = new Properties();
        props.putAll(StackCredentials.kafka());
        props.putAll(Map.of("group.id", "gwtest-trace-" + UUID.randomUUID(),
                "enable.auto.commit", "false",
                "key.deserializer", StringDeserializer.class.getName(), "value.deserializer", StringDeserializer.class.getName()));
        var consumer = new KafkaConsumer<String, String>(props);
        var partitions = consumer.partitionsFor(commands).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end offsets now, before the submission
        return consumer;
    }

    private ConsumerRecord<String, String> awaitCommand(KafkaConsumer<String, String> consumer, String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            for (var record : consumer.poll(Duration.ofMillis(200))) {
                if (id.equals(record.key())) {
                    return record;
                }
            }
        }
        throw new AssertionError("no command for " + id + " on " + commands);
    }
}
