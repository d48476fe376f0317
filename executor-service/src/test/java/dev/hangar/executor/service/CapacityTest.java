package dev.hangar.executor.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The capacity math of a pool executor: what fits, what waits (fetching paused), what never fits. */
class CapacityTest {
    private final List<String> fetching = new ArrayList<>();
    private final Capacity capacity = new Capacity(true, new Capacity.Needs(2, 4096, 0), "pool 'cpu-b' (executor cpu-b-1)",
            Duration.ofMillis(50));

    {
        capacity.fetchWith(new Capacity.Fetching() {
            @Override
            public synchronized void pause() {
                fetching.add("pause");
            }

            @Override
            public synchronized void resume() {
                fetching.add("resume");
            }
        });
    }

    @Test
    void aGpuRunOnAHostWithoutGpusCanNeverFit() {
        var e = assertThrows(HangarException.class, () -> capacity.requireFits(new Capacity.Needs(1, 512, 1)));
        assertEquals(ErrorCode.ERR_NO_CAPACITY, e.code());
        assertEquals("the run needs 1 GPU(s) and pool 'cpu-b' (executor cpu-b-1) has no GPU (hangar.executor.capacity.gpus=0); "
                + "send it to a pool whose hosts have GPUs", e.getMessage());
        var big = assertThrows(HangarException.class, () -> capacity.requireFits(new Capacity.Needs(2.5, 512, 0)));
        assertTrue(big.getMessage().contains("has 2.0 CPU(s) and 4096 MiB in all"), big.getMessage());
        assertThrows(HangarException.class, () -> capacity.requireFits(new Capacity.Needs(1, 4097, 0)));
        capacity.requireFits(new Capacity.Needs(2, 4096, 0));
    }

    @Test
    void aRunThatDoesNotFitNowWaitsWithFetchingPausedUntilARunEnds() throws Exception {
        var first = capacity.acquire(new Capacity.Needs(1.5, 1024, 0), () -> false);
        assertEquals(new Capacity.Needs(0.5, 3072, 0), capacity.free());
        var small = capacity.acquire(new Capacity.Needs(0.5, 1024, 0), () -> false); // fits exactly
        var waiting = CompletableFuture.supplyAsync(() -> capacity.acquire(new Capacity.Needs(1, 512, 0), () -> false));
        await().atMost(Duration.ofSeconds(2)).until(capacity::paused);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> !waiting.isDone());
        small.close();
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> !waiting.isDone()); // 0.5 free: still not 1
        first.close();
        var third = waiting.get(2, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(new Capacity.Needs(1, 3584, 0), capacity.free());
        assertEquals(List.of("pause"), fetching, "paused once while it waited; resumed only when a run ends and nothing waits");
        third.close();
        third.close(); // given back once
        assertEquals(new Capacity.Needs(2, 4096, 0), capacity.free());
        assertEquals(List.of("pause", "resume"), fetching);
        assertFalse(capacity.paused());
    }

    @Test
    void aCanceledWaiterGivesUpAndARunThatNeverFitsDoesNotWait() throws Exception {
        var all = capacity.acquire(new Capacity.Needs(2, 4096, 0), () -> false);
        var gone = new AtomicBoolean();
        var waiting = CompletableFuture.supplyAsync(() -> capacity.acquire(new Capacity.Needs(1, 1, 0), gone::get));
        await().atMost(Duration.ofSeconds(2)).until(capacity::paused);
        gone.set(true);
        waiting.get(2, java.util.concurrent.TimeUnit.SECONDS).close();
        assertEquals(new Capacity.Needs(0, 0, 0), capacity.free(), "the canceled run took nothing");
        capacity.acquire(new Capacity.Needs(1, 1, 3), () -> false).close(); // returns at once: its attempt refuses it
        all.close();
        assertEquals(new Capacity.Needs(2, 4096, 0), capacity.free());
    }

    @Test
    void aWaiterInterruptedAtShutdownGoesOnWithoutAShareRatherThanFailItsRecord() throws Exception {
        var all = capacity.acquire(new Capacity.Needs(2, 4096, 0), () -> false);
        var interrupted = new AtomicBoolean();
        var waiter = Thread.ofPlatform().start(() -> {
            capacity.acquire(new Capacity.Needs(1, 1, 0), () -> false).close();
            interrupted.set(Thread.currentThread().isInterrupted());
        });
        await().atMost(Duration.ofSeconds(2)).until(capacity::paused);
        waiter.interrupt();
        waiter.join(2000);
        assertTrue(interrupted.get(), "the interrupt is kept for the caller");
        assertEquals(new Capacity.Needs(0, 0, 0), capacity.free(), "it took nothing");
        all.close();
    }

    @Test
    void aDefaultExecutorHasNoCapacityLimit() throws Exception {
        var unlimited = Capacity.unlimited();
        unlimited.requireFits(new Capacity.Needs(64, 1 << 20, 8));
        unlimited.acquire(new Capacity.Needs(64, 1 << 20, 8), () -> false).close();
        assertFalse(unlimited.enforced());
    }
}
