package dev.hangar.gateway.service;

import dev.hangar.gateway.config.GatewayConfig;
import dev.hangar.gateway.error.RateLimited;
import dev.hangar.gateway.store.OutboxStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps the gateway answering while submissions pour in: at most {@code max-concurrent-submits}
 * are handled at once (the rest wait up to {@code submit-wait}, then get 429), so they never take
 * every database connection from reads, health checks and the event consumer; and a submission is
 * refused (429, nothing written) while its owner has {@code owner-max-waiting} runs held, or the
 * whole installation {@code max-waiting}. The caps are checked, not locked: concurrent
 * submissions can pass them by a few. Both counts are read from the outbox at most every half
 * second (an owner's own accepted submissions are added meanwhile): counting a long queue on
 * every submission was a fifth of the submit path's database time (perf/PROFILE-gateway.md).
 */
@ApplicationScoped
public class SubmitAdmission {
    /** How long a count is reused: counting a large outbox on every submission would cost more than it saves. */
    private static final long COUNT_TTL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    /** An owner's waiting runs as last counted, plus the submissions accepted since. */
    private record Count(long value, long countedAt) {}

    private final GatewayConfig.Queue config;
    private final OutboxStore outbox;
    private final Semaphore slots;
    private final ConcurrentHashMap<String, Count> owners = new ConcurrentHashMap<>();
    private volatile long waitingAll;
    private volatile long countedAt = System.nanoTime() - COUNT_TTL_NANOS;

    public SubmitAdmission(GatewayConfig config, OutboxStore outbox) {
        this.config = config.queue();
        this.outbox = outbox;
        if (this.config.maxConcurrentSubmits() < 1 || this.config.ownerMaxWaiting() < 1 || this.config.maxWaiting() < 1) {
            throw new IllegalArgumentException("hangar.gateway.queue.max-concurrent-submits, owner-max-waiting and max-waiting "
                    + "must each be at least 1");
        }
        this.slots = new Semaphore(this.config.maxConcurrentSubmits(), true);
    }

    /** Runs a submission in one of the slots; 429 when none frees within {@code submit-wait}. */
    public <T> T submitting(Supplier<T> submission) {
        boolean got;
        try {
            got = slots.tryAcquire(config.submitWait().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            got = false;
        }
        if (!got) {
            throw new RateLimited("the gateway is handling " + config.maxConcurrentSubmits() + " submissions at once and none "
                    + "finished within " + config.submitWait().toMillis() + " ms; this run was not accepted, retry after the "
                    + "Retry-After seconds", config.retryAfter());
        }
        try {
            return submission.get();
        } finally {
            slots.release();
        }
    }

    /** Refuses (429, before anything is written) while the owner or the installation has too many runs held. */
    public void requireRoom(String owner) {
        long mine = waitingOf(owner);
        if (mine >= config.ownerMaxWaiting()) {
            throw new RateLimited("you have " + mine + " runs waiting for a slot (at most " + config.ownerMaxWaiting()
                    + " may wait); this run was not accepted: wait for some to finish, then submit again", config.retryAfter());
        }
        long all = waitingAll();
        if (all >= config.maxWaiting()) {
            throw new RateLimited("the installation has " + all + " runs waiting (at most " + config.maxWaiting()
                    + "); this run was not accepted: retry after the Retry-After seconds", config.retryAfter());
        }
    }

    /** Counts a submission {@link #requireRoom} let through, until the next count. */
    public void accepted(String owner) {
        owners.computeIfPresent(owner, (k, c) -> new Count(c.value() + 1, c.countedAt()));
    }

    private long waitingOf(String owner) {
        long now = System.nanoTime();
        Count count = owners.get(owner);
        if (count == null || now - count.countedAt() >= COUNT_TTL_NANOS) {
            count = new Count(outbox.waitingOf(owner), now);
            owners.put(owner, count);
        }
        return count.value();
    }

    private long waitingAll() {
        long now = System.nanoTime();
        if (now - countedAt >= COUNT_TTL_NANOS) {
            waitingAll = outbox.pending();
            countedAt = now;
        }
        return waitingAll;
    }
}
