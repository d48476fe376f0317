package dev.hangar.gateway.messaging;

import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunControl;
import dev.hangar.contracts.RunRequested;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Publishes run commands and cancel requests keyed by execution id (idempotent producer, acks=all). */
@ApplicationScoped
public class RunCommandPublisher {
    private final Emitter<String> commands;
    private final Emitter<String> control;

    public RunCommandPublisher(@Channel("run-requests") Emitter<String> commands, @Channel("run-control") Emitter<String> control) {
        this.commands = commands;
        this.control = control;
    }

    /** Completes when the broker has the command, or exceptionally when it cannot take it. */
    public CompletableFuture<Void> publish(RunRequested command) {
        return send(commands, command.executionId(), command);
    }

    public CompletableFuture<Void> publish(RunControl request) {
        return send(control, request.executionId(), request);
    }

    private static CompletableFuture<Void> send(Emitter<String> emitter, String key, Object record) {
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
