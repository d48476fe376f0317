package dev.hangar.gateway.messaging;

import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.Topics;
import dev.hangar.gateway.metrics.GatewayMeters;
import dev.hangar.gateway.store.RunStore;
import dev.hangar.gateway.tracing.RunContext;
import dev.hangar.gateway.ws.StreamHub;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Applies {@link Topics#RUNS_EVENTS} to the run index, in order, and fans each new event out.
 * Unreadable records go to {@link Topics#RUNS_EVENTS_DLQ}; duplicates are stored and sent once.
 */
@ApplicationScoped
public class RunEventConsumer {
    private final RunStore store;
    private final StreamHub hub;

    public RunEventConsumer(RunStore store, StreamHub hub) {
        this.store = store;
        this.hub = hub;
    }

    @Incoming("run-events")
    @Blocking
    public void onEvent(String payload) {
        try {
            RunEvent event = Json.read(payload, RunEvent.class);
            RunContext.tag(event.executionId());
            if (store.apply(event)) {
                GatewayMeters.applied(event);
                hub.publish(event, store.owner(event.executionId()).orElse(null));
            }
        } catch (RuntimeException e) {
            GatewayMeters.deadLettered("run-events"); // a throw here nacks: the record goes to the DLQ
            throw e;
        } finally {
            RunContext.clear();
        }
    }
}
