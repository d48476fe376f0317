package dev.hangar.gateway.messaging;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.Topics;
import dev.hangar.gateway.metrics.GatewayMeters;
import dev.hangar.gateway.service.RunEnds;
import dev.hangar.gateway.store.RunStore;
import dev.hangar.gateway.tracing.RunContext;
import dev.hangar.gateway.ws.StreamHub;
import dev.hangar.kit.retry.Patience;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Applies {@link Topics#RUNS_EVENTS} to the run index, in order, and fans each event out to this
 * replica's sockets — also an event another replica stored first, since every replica has its own
 * subscribers ({@link StreamHub} sends each event once per replica). Records come in batches (one
 * poll) and a batch is stored in one transaction: per-event commits were the ingest path's top cost
 * (perf/PROFILE-gateway.md). Unreadable records, and records the database refuses for good, go to
 * {@link Topics#RUNS_EVENTS_DLQ}. While the database is away the batch is retried, not dropped or
 * acknowledged: its offsets are not committed, and consumption waits until it is stored. A run's
 * end wakes the relay for its owner's next held run.
 */
@ApplicationScoped
public class RunEventConsumer {
    private static final Logger LOG = Logger.getLogger(RunEventConsumer.class);
    private static final Patience STORE_PATIENCE = new Patience(Duration.ofMillis(100), Duration.ofSeconds(2));

    private final RunStore store;
    private final StreamHub hub;
    private final OutboxRelay relay;
    private final Emitter<String> deadLetters;
    private final RunEnds ends;

    public RunEventConsumer(RunStore store, StreamHub hub, OutboxRelay relay,
                            @Channel("run-events-dlq") Emitter<String> deadLetters, RunEnds ends) {
        this.ends = ends;
        this.store = store;
        this.hub = hub;
        this.relay = relay;
        this.deadLetters = deadLetters;
    }

    /** One event as it came: its record (for its trace context) and, if readable, the event. */
    private record Incoming_(KafkaRecord<String, String> record, RunEvent event) {}

    @Incoming("run-events")
    @Blocking
    public CompletionStage<Void> onEvents(KafkaRecordBatch<String, String> batch) {
        try {
            var readable = new ArrayList<Incoming_>();
            for (KafkaRecord<String, String> record : batch.getRecords()) {
                try {
                    readable.add(new Incoming_(record, Json.read(record.getPayload(), RunEvent.class)));
                } catch (RuntimeException e) {
                    deadLetter(record, ErrorCode.ERR_COMMAND_INVALID + ": " + e.getMessage());
                }
            }
            List<RunStore.Applied> applied = storeAll(readable);
            for (int i = 0; i < readable.size(); i++) {
                if (applied.get(i) != null) {
                    fanOut(readable.get(i), applied.get(i));
                }
            }
            return batch.ack();
        } catch (Exception e) {
            return batch.nack(e);
        }
    }

    /**
     * Stores the batch in one transaction, waiting out a database outage (with backoff) instead of
     * losing events. Should the database refuse it for another reason, each event is stored on its
     * own and the one it refuses dead-lettered (its outcome null).
     */
    private List<RunStore.Applied> storeAll(List<Incoming_> events) throws Exception {
        if (events.isEmpty()) {
            return List.of();
        }
        var batch = events.stream().map(Incoming_::event).toList();
        try {
            return STORE_PATIENCE.until("storing " + batch.size() + " event(s)", () -> store.applyAll(batch),
                    RunEventConsumer::notAnOutage);
        } catch (RuntimeException refused) {
            LOG.warnf("a batch of %d event(s) was refused (%s); storing them one by one", batch.size(), refused.getMessage());
        }
        var applied = new ArrayList<RunStore.Applied>();
        for (Incoming_ one : events) {
            RunEvent event = one.event();
            try {
                applied.add(STORE_PATIENCE.until("storing event " + event.executionId() + "/" + event.attempt() + "/"
                        + event.seq(), () -> store.apply(event), RunEventConsumer::notAnOutage));
            } catch (RuntimeException e) {
                deadLetter(one.record(), ErrorCode.ERR_INTERNAL + ": " + e.getMessage());
                applied.add(null);
            }
        }
        return applied;
    }

    private static boolean notAnOutage(Throwable e) {
        return !(e instanceof HangarException h && h.code() == ErrorCode.ERR_UNAVAILABLE);
    }

    /** In the record's own consumer span, so the fan-out continues the event's trace. */
    private void fanOut(Incoming_ one, RunStore.Applied applied) {
        RunEvent event = one.event();
        Context context = TracingMetadata.fromMessage(one.record()).map(TracingMetadata::getCurrentContext)
                .orElse(Context.current());
        try (Scope ignored = context.makeCurrent()) {
            RunContext.tag(event.executionId());
            if (applied.outcome() == RunStore.Outcome.STORED) {
                GatewayMeters.applied(event);
            }
            if (applied.outcome().deliverable()) {
                hub.publish(event, applied.owner());
                if (event.event() instanceof RunEvent.Terminal terminal) {
                    relay.wake(applied.owner()); // a slot of the owner's limit is free: its next run may go
                    // a request waiting for it (POST /v1/sample, POST /v1/runs with Prefer: wait) answers now
                    ends.ended(event.executionId(), terminal.envelope());
                }
            }
        } finally {
            RunContext.clear();
        }
    }

    /** The value as it came, the reason in a header; waits for Kafka to take it before the batch is acknowledged. */
    private void deadLetter(Message<String> record, String reason) throws Exception {
        GatewayMeters.deadLettered("run-events");
        LOG.warnf("run event dead-lettered: %s", reason);
        var headers = new RecordHeaders().add(Topics.DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        String key = record instanceof KafkaRecord<?, ?> k && k.getKey() != null ? k.getKey().toString() : null;
        var metadata = OutgoingKafkaRecordMetadata.<String>builder().withKey(key).withHeaders(headers).build();
        var done = new CompletableFuture<Void>();
        deadLetters.send(Message.of(record.getPayload() == null ? "" : record.getPayload()).addMetadata(metadata)
                .withAck(() -> {
                    done.complete(null);
                    return done;
                }).withNack(e -> {
                    done.completeExceptionally(e);
                    return CompletableFuture.completedFuture(null);
                }));
        done.get(15, TimeUnit.SECONDS);
    }
}
