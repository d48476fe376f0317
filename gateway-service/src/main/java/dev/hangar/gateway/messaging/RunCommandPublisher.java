package dev.hangar.gateway.messaging;

import dev.hangar.contracts.RunControl;
import dev.hangar.contracts.RunRequested;
import dev.hangar.kit.messaging.KafkaRecords;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

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
        return KafkaRecords.send(commands, command.executionId(), command);
    }

    public CompletableFuture<Void> publish(RunControl request) {
        return KafkaRecords.send(control, request.executionId(), request);
    }

}
