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
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Applies {@link Topics#RUNS_EVENTS} to the run index, in order, and fans each event out to this
 * replica's sockets — also an event another replica stored first, since every replica has its own
 * subscribers ({@link StreamHub} sends each event once per replica). Unreadable records go to
 * {@link Topics#RUNS_EVENTS_DLQ}. While the database is away the record is retried, not dropped
 * or acknowledged: its offset is not committed, and consumption waits until it is stored.
 */
@ApplicationScoped
public class RunEventConsumer {
    private static final Logger LOG = Logger.getLogger(RunEventConsumer.class);
    private static final long MAX_BACKOFF_MS = 2000;

    private final RunStore store;
    private final StreamHub hub;

    public RunEventConsumer(RunStore store, StreamHub hub) {
        this.store = store;
        this.hub = hub;
    }

    @Incoming("run-events")
    @Blocking
    public void onEvent(String payload) throws InterruptedException {
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
            }
        } finally {
            RunContext.clear();
        }
    }

    /** Stores the event, waiting out a database outage (with backoff) instead of losing the event. */
    private RunStore.Applied applyWhenStored(RunEvent event) throws InterruptedException {
        long backoff = 100;
        boolean warned = false;
        while (true) {
            try {
                RunStore.Applied applied = store.apply(event);
                if (warned) {
                    LOG.infof("the run database is back; event %s/%d/%d stored", event.executionId(), event.attempt(), event.seq());
                }
                return applied;
            } catch (HangarException e) {
                if (e.code() != ErrorCode.ERR_UNAVAILABLE) {
                    GatewayMeters.deadLettered("run-events");
                    throw e;
                }
                if (!warned) {
                    LOG.warnf("cannot store events (%s); holding them until the database is back", e.getMessage());
                    warned = true;
                }
                Thread.sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
    }
}
