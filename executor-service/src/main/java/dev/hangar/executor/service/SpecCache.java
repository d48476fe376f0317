package dev.hangar.executor.service;

import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Specs read from the registry, reused for a few seconds (hangar.executor.warm.spec-cache-ttl) so
 * a stream of runs of one processor does not cost a registry round trip each. Only a hint:
 * {@link RunService} reads the spec again whenever the command names an image other than the
 * cached pin (a {@code push --override} repin) or the cached spec has no pin for the platform.
 */
final class SpecCache {
    private record Entry(ProcessorSpec spec, long until) {}

    private final long ttlNanos;
    private final Map<ProcessorRef, Entry> entries = new ConcurrentHashMap<>();

    SpecCache(Duration ttl) {
        this.ttlNanos = ttl.toNanos();
    }

    /** The cached spec while it is fresh, else {@code read}'s (then cached). */
    ProcessorSpec get(ProcessorRef ref, Supplier<ProcessorSpec> read) {
        long now = System.nanoTime();
        var entry = entries.get(ref);
        if (entry != null && now - entry.until < 0) {
            return entry.spec;
        }
        var spec = read.get();
        if (ttlNanos > 0) {
            if (entries.size() > 10_000) {
                entries.clear();
            }
            entries.put(ref, new Entry(spec, now + ttlNanos));
        }
        return spec;
    }

    /** Whether specs are kept at all (a TTL above 0). */
    boolean caching() {
        return ttlNanos > 0;
    }

    /** Reads the spec afresh next time. */
    void forget(ProcessorRef ref) {
        entries.remove(ref);
    }
}
