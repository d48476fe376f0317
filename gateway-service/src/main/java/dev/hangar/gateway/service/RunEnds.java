package dev.hangar.gateway.service;

import dev.hangar.contracts.Envelope;
import dev.hangar.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wakes requests that wait for a run to end (a synchronous {@code POST /v1/sample}, a
 * {@code POST /v1/runs} with {@code Prefer: wait}) as soon as this replica fans the run's terminal
 * event out — after it is stored — handing them its envelope, instead of each polling the
 * database. Every replica consumes every event, so a waiter on any replica is woken. A waiter
 * registers before it reads the run index once, so an end between its submission and its
 * registration is not missed either.
 */
@ApplicationScoped
public class RunEnds {
    private final ConcurrentHashMap<String, Set<CompletableFuture<Envelope>>> waiting = new ConcurrentHashMap<>();
    private final AtomicInteger held = new AtomicInteger();
    private final int maxHeld;

    @Inject
    public RunEnds(GatewayConfig config) {
        this(config.maxWaitingSubmits());
    }

    /** {@code maxHeld}: how many {@link #tryHold} waiters there may be at once. */
    public RunEnds(int maxHeld) {
        this.maxHeld = maxHeld;
    }

    /** Called by the event consumer for every terminal event it fans out, with the run's envelope. */
    public void ended(String executionId, Envelope envelope) {
        var futures = waiting.remove(executionId);
        if (futures != null) {
            futures.forEach(f -> f.complete(envelope));
        }
    }

    /** Registers interest in the run's end; call {@link Waiter#await} then {@link Waiter#close}. */
    public Waiter waiter(String executionId) {
        var future = new CompletableFuture<Envelope>();
        waiting.computeIfAbsent(executionId, id -> ConcurrentHashMap.newKeySet()).add(future);
        return new Waiter(executionId, future, false);
    }

    /**
     * A waiter for a {@code POST /v1/runs} that asked to wait, or empty when
     * {@code max-waiting-submits} are held already (the request is answered at once instead).
     */
    public Optional<Waiter> tryHold(String executionId) {
        if (held.incrementAndGet() > maxHeld) {
            held.decrementAndGet();
            return Optional.empty();
        }
        var future = new CompletableFuture<Envelope>();
        waiting.computeIfAbsent(executionId, id -> ConcurrentHashMap.newKeySet()).add(future);
        return Optional.of(new Waiter(executionId, future, true));
    }

    /** Submissions held for their run's end now (a gauge, and for tests). */
    public int held() {
        return held.get();
    }

    /** One request's interest in one run's end. */
    public final class Waiter implements AutoCloseable {
        private final String executionId;
        private final CompletableFuture<Envelope> future;
        private final boolean counted;
        private boolean closed;

        private Waiter(String executionId, CompletableFuture<Envelope> future, boolean counted) {
            this.executionId = executionId;
            this.future = future;
            this.counted = counted;
        }

        /** True once the end event came, false after {@code millis} without it. */
        public boolean await(long millis) throws InterruptedException {
            return ended(millis).isPresent();
        }

        /** The run's envelope once its end event came, empty after {@code millis} without it. */
        public Optional<Envelope> ended(long millis) throws InterruptedException {
            try {
                return Optional.of(future.get(Math.max(0, millis), TimeUnit.MILLISECONDS));
            } catch (TimeoutException e) {
                return Optional.empty();
            } catch (ExecutionException e) {
                throw new IllegalStateException("a run's end is never completed exceptionally", e);
            }
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            waiting.computeIfPresent(executionId, (id, set) -> {
                set.remove(future);
                return set.isEmpty() ? null : set;
            });
            if (counted) {
                held.decrementAndGet();
            }
        }
    }
}
