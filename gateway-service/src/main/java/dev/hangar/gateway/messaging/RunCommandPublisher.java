package dev.hangar.gateway.messaging;

import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunRequested;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Publishes run commands keyed by execution id (idempotent producer, acks=all). */
@ApplicationScoped
public class RunCommandPublisher {
    private final Emitter<String> emitter;

    public RunCommandPublisher(@Channel("run-requests") Emitter<String> emitter) {
        this.emitter = emitter;
    }

    /** Completes when the broker has the command, or exceptionally when it cannot take it. */
    public CompletableFuture<Void> publish(RunRequested command) {
        var done = new CompletableFuture<Void>();
        var metadata = OutgoingKafkaRecordMetadata.<String>builder().withKey(command.executionId()).build();
        emitter.send(Message.of(Json.write(command))
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
