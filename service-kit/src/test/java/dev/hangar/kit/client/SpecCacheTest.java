package dev.hangar.kit.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SpecCacheTest {
    private static final ProcessorRef REF = ProcessorRef.parse("kit/cached@1");
    private final AtomicInteger reads = new AtomicInteger();

    /** A well-formed digest named by {@code tag}. */
    private static String d(String tag) {
        return "sha256:" + (tag + "0".repeat(64)).substring(0, 64).replaceAll("[^0-9a-f]", "0");
    }

    private static ProcessorSpec spec(String digest) {
        return new ProcessorSpec(REF, "cache test", "127.0.0.1:5000/kit/cached", Map.of("amd64", digest), null,
                java.util.List.of(), null, null);
    }

    private Supplier<ProcessorSpec> registry(String digest) {
        return () -> {
            reads.incrementAndGet();
            return spec(digest);
        };
    }

    @Test
    void aFreshSpecIsReadOnceAndAForgottenOneAgain() {
        var cache = new SpecCache(Duration.ofMinutes(1));
        assertEquals(d("a"), cache.get(REF, registry(d("a"))).digests().get("amd64"));
        assertEquals(d("a"), cache.get(REF, registry(d("b"))).digests().get("amd64"));
        assertEquals(1, reads.get());
        cache.forget(REF);
        assertEquals(d("b"), cache.get(REF, registry(d("b"))).digests().get("amd64"));
        assertEquals(2, reads.get());
    }

    @Test
    void aReadInFlightWhenTheSpecChangedIsNotKept() {
        var cache = new SpecCache(Duration.ofMinutes(1));
        // the change lands (and is forgotten) while this read is on its way back with the old spec
        var old = cache.get(REF, () -> {
            cache.forget(REF);
            return spec(d("old"));
        });
        assertEquals(d("old"), old.digests().get("amd64"), "the caller still gets what it read");
        assertEquals(d("new"), cache.get(REF, registry(d("new"))).digests().get("amd64"));
        assertEquals(1, reads.get());
    }

    @Test
    void aFailedReadIsNotCached() {
        var cache = new SpecCache(Duration.ofMinutes(1));
        assertThrows(IllegalStateException.class, () -> cache.get(REF, () -> {
            throw new IllegalStateException("registry down");
        }));
        assertEquals(d("a"), cache.get(REF, registry(d("a"))).digests().get("amd64"));
        assertEquals(1, reads.get());
    }

    @Test
    void aZeroTtlReadsEveryTime() {
        var cache = new SpecCache(Duration.ZERO);
        assertFalse(cache.caching());
        cache.get(REF, registry(d("a")));
        cache.get(REF, registry(d("a")));
        assertEquals(2, reads.get());
    }

    @Test
    void anExpiredSpecIsReadAgain() throws Exception {
        var cache = new SpecCache(Duration.ofMillis(20));
        cache.get(REF, registry(d("a")));
        Thread.sleep(40);
        assertEquals(d("b"), cache.get(REF, registry(d("b"))).digests().get("amd64"));
        assertEquals(2, reads.get());
    }
}
