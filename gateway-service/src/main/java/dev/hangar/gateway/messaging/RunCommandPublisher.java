package dev.hangar.gateway.messaging;

import dev.hangar.contracts.RunControl;
import dev.hangar.kit.messaging.KafkaRecords;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/**
 * Publishes outbox records (run commands, and the sweeper's terminal events) and cancel requests,
 * keyed by execution id (idempotent producer, acks=all).
 */
@ApplicationScoped
public class RunCommandPublisher {
    private final Emitter<String> commands;
    private final Emitter<String> control;

    public RunCommandPublisher(@Channel("run-requests") Emitter<String> commands, @Channel("run-control") Emitter<String> control) {
        this.commands = commands;
        this.control = control;
    }

    /**
     * Sends an outbox row's record (already JSON) to its topic; completes on the broker's ack.
     * Throws when the producer cannot even take it (its buffer is full while Kafka is away).
     */
    public CompletableFuture<Void> send(String topic, String key, String payload) {
        return KafkaRecords.sendJson(commands, topic, key, payload);
    }

    public CompletableFuture<Void> publish(RunControl request) {
        return KafkaRecords.send(control, request.executionId(), request);
    }

}
