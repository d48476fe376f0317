package dev.hangar.kit.client;

import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Specs read from the registry, reused for a few seconds so a stream of runs of one processor does
 * not cost a registry round trip each (the gateway's {@code hangar.gateway.spec-cache-ttl}, the
 * executor's {@code hangar.executor.warm.spec-cache-ttl}; docs/adr/0008-spec-cache.md).
 *
 * <p>{@link #forget} wins over a read that was in flight when it was called: such a read may have
 * seen the registry before the change, so its answer is returned to its caller but not kept.
 */
public final class SpecCache {
    private static final int MAX_ENTRIES = 10_000;

    private record Entry(ProcessorSpec spec, long until) {}

    private final long ttlNanos;
    private final Map<ProcessorRef, Entry> entries = new ConcurrentHashMap<>();
    /** Counts {@link #forget} calls; a read keeps its answer only if none came while it ran. */
    private final AtomicLong forgets = new AtomicLong();

    public SpecCache(Duration ttl) {
        this.ttlNanos = ttl.toNanos();
    }

    /** The cached spec while it is fresh, else {@code read}'s (then cached). A failed read is not cached. */
    public ProcessorSpec get(ProcessorRef ref, Supplier<ProcessorSpec> read) {
        long now = System.nanoTime();
        var entry = entries.get(ref);
        if (entry != null && now - entry.until < 0) {
            return entry.spec;
        }
        long before = forgets.get();
        var spec = read.get();
        if (ttlNanos > 0) {
            if (entries.size() >= MAX_ENTRIES) {
                entries.clear();
            }
            var fresh = new Entry(spec, now + ttlNanos);
            entries.put(ref, fresh);
            // put, then check: a forget that came meanwhile either removed this entry already or
            // is seen here, so a read from before a change never outlives it
            if (forgets.get() != before) {
                entries.remove(ref, fresh);
            }
        }
        return spec;
    }

    /** Whether specs are kept at all (a TTL above 0). */
    public boolean caching() {
        return ttlNanos > 0;
    }

    /** Reads the spec afresh next time; call it after the registry took a change of {@code ref}. */
    public void forget(ProcessorRef ref) {
        forgets.incrementAndGet();
        entries.remove(ref);
    }
}
