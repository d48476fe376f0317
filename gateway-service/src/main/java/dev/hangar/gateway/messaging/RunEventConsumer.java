package dev.hangar.gateway.messaging;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.Topics;
import dev.hangar.gateway.metrics.GatewayMeters;
import dev.hangar.gateway.store.RunStore;
import dev.hangar.gateway.tracing.RunContext;
import dev.hangar.gateway.ws.StreamHub;
import dev.hangar.kit.retry.Patience;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Applies {@link Topics#RUNS_EVENTS} to the run index, in order, and fans each event out to this
 * replica's sockets — also an event another replica stored first, since every replica has its own
 * subscribers ({@link StreamHub} sends each event once per replica). Unreadable records go to
 * {@link Topics#RUNS_EVENTS_DLQ}. A run's end wakes the relay for its owner's next held run. While the database is away the record is retried, not dropped
 * or acknowledged: its offset is not committed, and consumption waits until it is stored.
 */
@ApplicationScoped
public class RunEventConsumer {
    private static final Patience STORE_PATIENCE = new Patience(Duration.ofMillis(100), Duration.ofSeconds(2));

    private final RunStore store;
    private final StreamHub hub;
    private final OutboxRelay relay;

    public RunEventConsumer(RunStore store, StreamHub hub, OutboxRelay relay) {
        this.store = store;
        this.hub = hub;
        this.relay = relay;
    }

    @Incoming("run-events")
    @Blocking
    public void onEvent(String payload) {
        RunEvent event;
        try {
            event = Json.read(payload, RunEvent.class);
        } catch (RuntimeException e) {
            GatewayMeters.deadLettered("run-events"); // a throw here nacks: the record goes to the DLQ
            throw e;
        }
        try {
            RunContext.tag(event.executionId());
            RunStore.Applied applied = applyWhenStored(event);
            if (applied.outcome() == RunStore.Outcome.STORED) {
                GatewayMeters.applied(event);
            }
            if (applied.outcome().deliverable()) {
                hub.publish(event, applied.owner());
                if (event.event() instanceof RunEvent.Terminal) {
                    relay.wake(applied.owner()); // a slot of the owner's limit is free: its next run may go
                }
            }
        } finally {
            RunContext.clear();
        }
    }

    /** Stores the event, waiting out a database outage (with backoff) instead of losing the event. */
    private RunStore.Applied applyWhenStored(RunEvent event) {
        try {
            return STORE_PATIENCE.until("storing event " + event.executionId() + "/" + event.attempt() + "/" + event.seq(),
                    () -> store.apply(event), e -> !(e instanceof HangarException h && h.code() == ErrorCode.ERR_UNAVAILABLE));
        } catch (RuntimeException e) {
            GatewayMeters.deadLettered("run-events"); // not the database being away: the record goes to the DLQ
            throw e;
        }
    }
}
