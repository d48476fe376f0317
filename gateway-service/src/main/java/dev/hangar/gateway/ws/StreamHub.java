package dev.hangar.gateway.ws;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Problem;
import dev.hangar.contracts.RunEvent;
import dev.hangar.gateway.store.RunStore;
import dev.hangar.gateway.tracing.RunContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Fans run events out to WebSocket subscribers. A new subscriber is registered before its replay
 * is read from the database, and live events that arrive meanwhile wait in its queue, so it gets
 * every event exactly once and in order. After the terminal event it gets the envelope and the
 * socket closes.
 */
@ApplicationScoped
public class StreamHub {
    private static final Logger LOG = Logger.getLogger(StreamHub.class);

    private final RunStore store;
    private final Map<String, Set<Subscriber>> byRun = new ConcurrentHashMap<>();
    /** Operators' all-runs sockets and the owner each acts as. */
    private final Map<WebSocketConnection, String> everything = new ConcurrentHashMap<>();

    public StreamHub(RunStore store) {
        this.store = store;
    }

    /** Replays what the run has done so far, then follows it. Blocking: call on a worker thread. */
    void follow(WebSocketConnection connection, String executionId, String owner) {
        var subscriber = new Subscriber(connection);
        byRun.computeIfAbsent(executionId, k -> ConcurrentHashMap.newKeySet()).add(subscriber);
        if (store.status(executionId, owner).isEmpty()) {
            unfollow(connection, executionId);
            var problem = Problem.of(ErrorCode.ERR_RUN_NOT_FOUND, "no run " + executionId, executionId, List.of());
            connection.sendText(Json.write(problem)).chain(() -> connection.close()).subscribe().with(ok -> { }, this::warn);
            return;
        }
        List<RunEvent> past = store.events(executionId);
        synchronized (subscriber) {
            past.forEach(subscriber::deliver);
            subscriber.pending.forEach(subscriber::deliver);
            subscriber.pending.clear();
            subscriber.replaying = false;
        }
    }

    void unfollow(WebSocketConnection connection, String executionId) {
        var subscribers = byRun.get(executionId);
        if (subscribers != null) {
            subscribers.removeIf(s -> s.connection == connection);
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
        return byRun.values().stream().mapToInt(Set::size).sum();
    }

    /** Sockets following all runs (a gauge). */
    public int allRunsSubscribers() {
        return everything.size();
    }

    /** Called once per stored (non-duplicate) event; {@code owner} is its run's (null for bus-submitted runs). */
    @WithSpan("hangar.stream.fanout")
    public void publish(RunEvent event, String owner) {
        Span.current().setAttribute(RunContext.EXECUTION_ID, event.executionId());
        String frame = Json.write(event);
        everything.forEach((connection, viewer) -> {
            if (owner != null && owner.equals(viewer)) {
                connection.sendText(frame).subscribe().with(ok -> { }, this::warn);
            }
        });
        var subscribers = byRun.get(event.executionId());
        if (subscribers == null) {
            return;
        }
        for (var subscriber : subscribers) {
            synchronized (subscriber) {
                if (subscriber.replaying) {
                    subscriber.pending.add(event);
                } else {
                    subscriber.deliver(event);
                }
            }
        }
    }

    private void warn(Throwable t) {
        LOG.debugf("a subscriber went away: %s", t.getMessage());
    }

    /** One socket on one run; remembers the last position sent so replay and live never overlap. */
    private final class Subscriber {
        final WebSocketConnection connection;
        final List<RunEvent> pending = new ArrayList<>();
        boolean replaying = true;
        int lastAttempt;
        long lastSeq;
        boolean finished;

        Subscriber(WebSocketConnection connection) {
            this.connection = connection;
        }

        void deliver(RunEvent event) {
            boolean after = event.attempt() > lastAttempt || (event.attempt() == lastAttempt && event.seq() > lastSeq);
            if (finished || !after) {
                return;
            }
            lastAttempt = event.attempt();
            lastSeq = event.seq();
            connection.sendText(Json.write(event)).subscribe().with(ok -> { }, StreamHub.this::warn);
            if (event.event() instanceof RunEvent.Terminal terminal) {
                finished = true;
                connection.sendText(Json.write(terminal.envelope())).chain(() -> connection.close())
                        .subscribe().with(ok -> { }, StreamHub.this::warn);
            }
        }
    }
}
