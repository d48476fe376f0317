package dev.hangar.gateway.fault;

import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.Topics;
import dev.hangar.kit.testing.StackCredentials;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes run events to a private broker the way an executor does (key = execution id, acks=all). */
final class Bus implements AutoCloseable {
    static final ProcessorRef REF = ProcessorRef.parse("faulttest/echo@1");
    private final KafkaProducer<String, String> producer;

    Bus(String bootstrap) {
        var props = new Properties();
        props.putAll(StackCredentials.kafka(bootstrap));
        props.putAll(Map.of("acks", "all", "enable.idempotence", "true",
                "key.serializer", StringSerializer.class.getName(), "value.serializer", StringSerializer.class.getName()));
        producer = new KafkaProducer<>(props);
    }

    void send(RunEvent event) throws Exception {
        producer.send(new ProducerRecord<>(Topics.RUNS_EVENTS, event.executionId(), Json.write(event))).get(60, TimeUnit.SECONDS);
    }

    void started(String id, int attempt) throws Exception {
        send(RunEvent.of(id, attempt, 1, null, new RunEvent.Started(REF, Adapter.LOCAL, Mode.MOCK, "sha256:" + "a".repeat(64), "fault-executor")));
    }

    void log(String id, int attempt, long seq) throws Exception {
        send(RunEvent.of(id, attempt, seq, null, new RunEvent.Log("stdout", "line " + seq)));
    }

    void completed(String id, int attempt, long seq) throws Exception {
        send(RunEvent.of(id, attempt, seq, null, RunEvent.terminal(success(id, attempt))));
    }

    static Envelope success(String id, int attempt) {
        var meta = new Envelope.Meta(REF.toString(), Adapter.LOCAL, Mode.MOCK, Platform.AMD64, attempt, "sha256:" + "a".repeat(64),
                null, 5L, 1L, null, null);
        return Envelope.success(id, List.of(), "/artifacts/fault/" + id + "/outputs.json", meta);
    }

    @Override
    public void close() {
        producer.close();
    }
}
