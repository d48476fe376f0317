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
        var done = new CompletableFuture<Void>();
        var metadata = OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build();
        emitter.send(Message.of(Json.write(record))
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
