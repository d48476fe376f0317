package dev.hangar.executor.messaging;

import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunEvent;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/** Publishes run events keyed by execution id, so one run's events stay in order on one partition. */
@ApplicationScoped
public class EventPublisher {
    private final Emitter<String> emitter;

    public EventPublisher(@Channel("run-events") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 10_000)
                          Emitter<String> emitter) {
        this.emitter = emitter;
    }

    /** Sends an event; the future completes when the broker has acknowledged it (acks=all). */
    public CompletableFuture<Void> publish(RunEvent event) {
        var done = new CompletableFuture<Void>();
        var metadata = OutgoingKafkaRecordMetadata.<String>builder().withKey(event.executionId()).build();
        emitter.send(Message.of(Json.write(event))
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
