package dev.hangar.executor.messaging;

import dev.hangar.contracts.RunEvent;
import dev.hangar.kit.messaging.KafkaRecords;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
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
        return KafkaRecords.send(emitter, event.executionId(), event);
    }
}
