package dev.hangar.gateway.ws;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Problem;
import dev.hangar.contracts.RunEvent;
import dev.hangar.gateway.config.GatewayConfig;
import dev.hangar.gateway.store.RunStore;
import dev.hangar.gateway.tracing.RunContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * Fans run events out to this replica's WebSocket subscribers, each event once: every replica
 * consumes every event, and a bounded window of what it already sent drops Kafka redeliveries.
 * A new subscriber is registered before its replay is read, and replays from its cursor
 * ({@link Cursor}) page by page from the database; live events that arrive meanwhile wait in a
 * bounded queue (past it, the replay simply reads on, since every event is stored before it is
 * fanned out), so it gets every event after its cursor exactly once and in order. After the
 * terminal event it gets the envelope, and the socket is closed {@code close-linger} later unless
 * the client closed it first.
 *
 * <p>The live path is the fan-out's hot loop (one event × every socket, on the event consumer's
 * thread): a frame is encoded once for all sockets, a live send is fire-and-forget (only a replay
 * waits for its sends), a terminal event reaches every socket before any envelope, and the
 * closes wait out the linger, so a run's 1,000 closing handshakes do not hold up the terminal
 * frames and envelopes of its other sockets (perf/PROFILE-gateway.md).
 */
@ApplicationScoped
public class StreamHub {
    private static final Logger LOG = Logger.getLogger(StreamHub.class);
    private static final long SEND_TIMEOUT_SECONDS = 30;

    private final RunStore store;
    private final int pageSize;
    private final Duration closeLinger;
    /** A run's sockets, by connection: 1,000 sockets closing at once each remove their own entry, not scan the set. */
    private final Map<String, Map<WebSocketConnection, Subscriber>> byRun = new ConcurrentHashMap<>();
    /** Operators' all-runs sockets and the owner each acts as. */
    private final Map<WebSocketConnection, String> everything = new ConcurrentHashMap<>();
    private final Set<String> sent;
    private final LongAdder runFrames = new LongAdder();
    private final LongAdder allRunsFrames = new LongAdder();

    public StreamHub(RunStore store, GatewayConfig config) {
        this.store = store;
        this.pageSize = config.stream().replayPageSize();
        this.closeLinger = config.stream().closeLinger();
        int window = config.stream().dedupeWindow();
        this.sent = java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > window;
            }
        }));
    }

    /** Replays what the run has done after {@code from}, then follows it. Blocking: call on a worker thread. */
    void follow(WebSocketConnection connection, String executionId, String owner, Cursor from) {
        var subscriber = new Subscriber(connection, from);
        byRun.computeIfAbsent(executionId, k -> new ConcurrentHashMap<>()).put(connection, subscriber);
        var status = store.status(executionId, owner);
        if (status.isEmpty()) {
            unfollow(connection, executionId);
            refuse(connection, Problem.of(ErrorCode.ERR_RUN_NOT_FOUND, "no run " + executionId, executionId, List.of()));
            return;
        }
        while (true) {
            Cursor at;
            synchronized (subscriber) {
                at = subscriber.position();
            }
            List<RunEvent> page = store.eventsAfter(executionId, at.attempt(), at.seq(), pageSize);
            synchronized (subscriber) {
                page.forEach(subscriber::deliver);
                if (page.size() < pageSize && !subscriber.overflowed) {
                    subscriber.pending.forEach(subscriber::deliver);
                    subscriber.pending.clear();
                    subscriber.replaying = false;
                    break;
                }
                if (page.size() < pageSize) {
                    subscriber.overflowed = false; // what overflowed is stored: read it on the next page
                    subscriber.pending.clear();
                }
            }
            if (subscriber.finished || !subscriber.awaitSent()) {
                break;
            }
        }
        if (!subscriber.finished && status.get().terminal()) {
            // the cursor is past the terminal event (it arrived, the envelope frame did not): end as the stream would
            store.find(executionId, owner).flatMap(d -> d.envelope()).ifPresent(envelope -> {
                synchronized (subscriber) {
                    subscriber.finish(Json.write(envelope));
                }
            });
        }
    }

    static void refuse(WebSocketConnection connection, Problem problem) {
        connection.sendText(Json.write(problem)).chain(() -> connection.close()).subscribe().with(ok -> { }, e -> { });
    }

    void unfollow(WebSocketConnection connection, String executionId) {
        var subscribers = byRun.get(executionId);
        if (subscribers != null && subscribers.remove(connection) != null && subscribers.isEmpty()) {
            byRun.computeIfPresent(executionId, (k, v) -> v.isEmpty() ? null : v);
        }
    }

    void followAll(WebSocketConnection connection, String owner) {
        everything.put(connection, owner);
    }

    void unfollowAll(WebSocketConnection connection) {
        everything.remove(connection);
    }

    /** Sockets following one run (a gauge). */
    public int runSubscribers() {
        return byRun.values().stream().mapToInt(Map::size).sum();
    }

    /** Frames sent to sockets following one run, replay included (a counter). */
    public long runFramesSent() {
        return runFrames.sum();
    }

    /** Frames sent to sockets following all runs (a counter). */
    public long allRunsFramesSent() {
        return allRunsFrames.sum();
    }

    /** Sockets following all runs (a gauge). */
    public int allRunsSubscribers() {
        return everything.size();
    }

    /**
     * Called for every stored event this replica consumes; sends it to this replica's sockets
     * unless it already did. {@code owner} is its run's (null for bus-submitted runs).
     */
    @WithSpan("hangar.stream.fanout")
    public void publish(RunEvent event, String owner) {
        Span.current().setAttribute(RunContext.EXECUTION_ID, event.executionId());
        if (!sent.add(event.executionId() + "/" + event.attempt() + "/" + event.seq())) {
            return; // a redelivered record: this replica's sockets have it
        }
        String frame = Json.write(event);
        if (owner != null) {
            everything.forEach((connection, viewer) -> {
                if (owner.equals(viewer)) {
                    connection.sendText(frame).subscribe().with(ok -> { }, this::warn);
                    allRunsFrames.increment();
                }
            });
        }
        var subscribers = byRun.get(event.executionId());
        if (subscribers == null) {
            return;
        }
        // a run's frame (and its envelope) is written once for all its sockets, not per socket
        String envelope = envelopeOf(event);
        List<Subscriber> ending = envelope == null ? List.of() : new ArrayList<>();
        for (var subscriber : subscribers.values()) {
            synchronized (subscriber) {
                if (!subscriber.replaying) {
                    if (subscriber.send(event, frame) && envelope != null) {
                        subscriber.finished = true; // the envelope follows below; no other frame may
                        ending.add(subscriber);
                    }
                } else if (subscriber.pending.size() < pageSize) {
                    subscriber.pending.add(event);
                } else {
                    subscriber.overflowed = true;
                }
            }
        }
        // the envelopes and closes only after every socket has the terminal frame: sent in the
        // same pass, the 1,000th socket's terminal frame waited behind 999 envelopes and closes
        for (var subscriber : ending) {
            subscriber.end(envelope);
        }
    }

    /** A terminal event's envelope as JSON (a stream's last frame), else null. */
    private static String envelopeOf(RunEvent event) {
        return event.event() instanceof RunEvent.Terminal terminal ? Json.write(terminal.envelope()) : null;
    }

    private void warn(Throwable t) {
        LOG.debugf("a subscriber went away: %s", t.getMessage());
    }

    /** One socket on one run; remembers the last position sent so replay and live never overlap. */
    private final class Subscriber {
        final WebSocketConnection connection;
        final List<RunEvent> pending = new ArrayList<>();
        boolean replaying = true;
        boolean overflowed;
        int lastAttempt;
        long lastSeq;
        volatile boolean finished;
        CompletableFuture<Void> lastSend = CompletableFuture.completedFuture(null);

        Subscriber(WebSocketConnection connection, Cursor from) {
            this.connection = connection;
            this.lastAttempt = from.attempt();
            this.lastSeq = from.seq();
        }

        Cursor position() {
            return new Cursor(lastAttempt, lastSeq);
        }

        void deliver(RunEvent event) {
            deliver(event, Json.write(event), envelopeOf(event));
        }

        /** Sends {@code frame} (the event as JSON) unless the socket has it; {@code envelope} ends the stream. */
        void deliver(RunEvent event, String frame, String envelope) {
            if (send(event, frame) && envelope != null) {
                finish(envelope);
            }
        }

        /**
         * Sends {@code frame} unless the socket has the event or its stream ended; true if sent. A
         * replay keeps the send to wait for it ({@link #awaitSent}); a live send is not waited for.
         */
        boolean send(RunEvent event, String frame) {
            boolean after = event.attempt() > lastAttempt || (event.attempt() == lastAttempt && event.seq() > lastSeq);
            if (finished || !after) {
                return false;
            }
            lastAttempt = event.attempt();
            lastSeq = event.seq();
            runFrames.increment();
            if (replaying) {
                var send = connection.sendText(frame).subscribeAsCompletionStage();
                send.whenComplete((ok, e) -> {
                    if (e != null) {
                        warn(e);
                    }
                });
                lastSend = send;
            } else {
                connection.sendText(frame).subscribe().with(ok -> { }, StreamHub.this::warn);
            }
            return true;
        }

        /** Waits until the socket has taken what was sent, so a replay holds one page in memory; false if it never does. */
        boolean awaitSent() {
            CompletableFuture<Void> last;
            synchronized (this) {
                last = lastSend;
            }
            try {
                last.get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException | TimeoutException e) {
                LOG.debugf("a subscriber did not take its replay: %s", e.getMessage());
                connection.close().subscribe().with(ok -> { }, StreamHub.this::warn);
                return false;
            }
        }

        void finish(String envelope) {
            finished = true;
            end(envelope);
        }

        /** The stream's last frame, then, after the linger, the close (unless the client closed it meanwhile). */
        void end(String envelope) {
            Uni<Void> last = connection.sendText(envelope);
            if (closeLinger.isPositive()) {
                last = last.onItem().delayIt().by(closeLinger);
            }
            // close() of a socket the client closed first would log a warning for each of them
            last.chain(() -> connection.isClosed() ? Uni.createFrom().voidItem() : connection.close())
                    .subscribe().with(ok -> { }, StreamHub.this::warn);
        }
    }
}
