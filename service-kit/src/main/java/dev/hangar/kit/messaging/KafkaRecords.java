package dev.hangar.kit.messaging;

import dev.hangar.contracts.Json;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Sends a wire record as JSON with its Kafka key; the future completes on the broker's ack (acks=all). */
public final class KafkaRecords {
    private KafkaRecords() {}

    public static CompletableFuture<Void> send(Emitter<String> emitter, String key, Object record) {
        return sendJson(emitter, null, key, Json.write(record));
    }

    /**
     * Sends an already written record, to {@code topic} or (null) the channel's own; throws when
     * the producer cannot even take it (its buffer is full while Kafka is away).
     */
    public static CompletableFuture<Void> sendJson(Emitter<String> emitter, String topic, String key, String json) {
        var done = new CompletableFuture<Void>();
        var metadata = OutgoingKafkaRecordMetadata.<String>builder().withTopic(topic).withKey(key).build();
        emitter.send(Message.of(json)
                .addMetadata(metadata)
                .withAck(() -> {
                    done.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(e -> {
                    done.completeExceptionally(e);
                    return CompletableFuture.completedFuture(null);
                }));
        return done;
    }
}
