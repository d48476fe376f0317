package dev.hangar.gateway.sampling;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Wakes requests that wait for a run to end (a synchronous {@code POST /v1/sample}) as soon as
 * this replica consumes the run's terminal event, instead of each polling the database. Every
 * replica consumes every event, so a waiter on any replica is woken. Waiters still re-read the run
 * index now and then ({@link SamplingConfig#recheck()}), so a missed wake only costs latency.
 */
@ApplicationScoped
public class RunEnds {
    private final ConcurrentHashMap<String, Set<CountDownLatch>> waiting = new ConcurrentHashMap<>();

    /** Called by the event consumer for every terminal event it fans out. */
    public void ended(String executionId) {
        var latches = waiting.remove(executionId);
        if (latches != null) {
            latches.forEach(CountDownLatch::countDown);
        }
    }

    /** Registers interest in the run's end; call {@link Waiter#await} then {@link Waiter#close}. */
    Waiter waiter(String executionId) {
        var latch = new CountDownLatch(1);
        waiting.computeIfAbsent(executionId, id -> ConcurrentHashMap.newKeySet()).add(latch);
        return new Waiter(executionId, latch);
    }

    /** One request's interest in one run's end. */
    final class Waiter implements AutoCloseable {
        private final String executionId;
        private final CountDownLatch latch;

        private Waiter(String executionId, CountDownLatch latch) {
            this.executionId = executionId;
            this.latch = latch;
        }

        /** True once the end event came, false after {@code millis} without it. */
        boolean await(long millis) throws InterruptedException {
            return latch.await(millis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            waiting.computeIfPresent(executionId, (id, set) -> {
                set.remove(latch);
                return set.isEmpty() ? null : set;
            });
        }
    }
}
