package dev.hangar.gateway.messaging;

import dev.hangar.contracts.RunControl;
import dev.hangar.kit.messaging.KafkaRecords;
import jakarta.enterprise.context.ApplicationScoped;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;
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
    public CompletableFuture<Void> send(String topic, String key, String payload, String traceparent) {
        if (traceparent == null) {
            return KafkaRecords.sendJson(commands, topic, key, payload);
        }
        // the producer span continues the submission's trace, though this runs on the relay's thread
        Context submitted = W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, TRACEPARENT);
        try (Scope ignored = submitted.makeCurrent()) {
            return KafkaRecords.sendJson(commands, topic, key, payload);
        }
    }

    private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    public CompletableFuture<Void> publish(RunControl request) {
        return KafkaRecords.send(control, request.executionId(), request);
    }

}
