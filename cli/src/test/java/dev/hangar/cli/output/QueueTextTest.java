package dev.hangar.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunDetail;
import dev.hangar.contracts.RunSummary;
import org.junit.jupiter.api.Test;

/** Where a queued run waits, as `runs list` and `run` print it, from the gateway's JSON. */
class QueueTextTest {
    static RunDetail run(String queue) {
        return Json.read("{\"execution_id\":\"r-1\",\"status\":\"queued\",\"ref\":\"examples/echo@1\",\"adapter\":\"local\","
                + "\"mode\":\"mock\",\"created_at\":\"2026-11-22T10:15:30Z\",\"updated_at\":\"2026-11-22T10:15:30Z\""
                + (queue == null ? "" : ",\"queue\":" + queue) + "}", RunDetail.class);
    }

    @Test
    void aHeldRunSaysItsPositionAndTheOwnersLimit() {
        RunDetail held = run("{\"state\":\"held_owner_limit\",\"position\":3,\"owner_active\":32,\"owner_limit\":32,"
                + "\"since\":\"2026-11-22T10:15:30Z\",\"queued_for_ms\":4200}");
        RunSummary summary = held.summary().orElseThrow();
        assertEquals("queued (held #3)", QueueText.status(summary));
        assertEquals("waiting: held by the gateway, position 3 among your waiting runs (32 of your limit of 32 running or "
                + "dispatched, queued 4 s)", QueueText.waiting(held.queue()));
    }

    @Test
    void aDispatchedRunWaitsForAnExecutorAndARunWithoutQueueInfoIsItsStatus() {
        RunDetail dispatched = run("{\"state\":\"dispatched\",\"owner_active\":1,\"owner_limit\":32,\"queued_for_ms\":900}");
        assertEquals("queued (dispatched)", QueueText.status(dispatched.summary().orElseThrow()));
        assertEquals("waiting: for a free executor, queued 0 s", QueueText.waiting(dispatched.queue()));
        RunDetail plain = run(null);
        assertEquals("queued", QueueText.status(plain.summary().orElseThrow()));
        assertNull(QueueText.waiting(plain.queue()));
    }

    @Test
    void aRemoteRunSaysWhichPoolItWaitsForAndWhenItGivesUp() {
        RunDetail remote = run("{\"state\":\"dispatched\",\"owner_active\":1,\"owner_limit\":32,\"queued_for_ms\":5200,"
                + "\"pool\":\"gpu-a\",\"since\":\"2026-11-22T10:15:30Z\",\"capacity_deadline\":\"2026-11-22T10:25:30Z\"}");
        assertEquals("queued (waiting for pool gpu-a)", QueueText.status(remote.summary().orElseThrow()));
        assertEquals("waiting: for an executor of pool gpu-a with room, queued 5 s; fails with ERR_NO_CAPACITY at "
                + "2026-11-22T10:25:30Z", QueueText.waiting(remote.queue()));
    }

    @Test
    void aRunItsBackendQueuesSaysWhereInTheBackendItWaits() {
        RunDetail slurm = run("{\"state\":\"dispatched\",\"owner_active\":1,\"owner_limit\":32,\"queued_for_ms\":5200,"
                + "\"pool\":\"gpu-a\",\"since\":\"2026-11-22T10:15:30Z\",\"capacity_deadline\":\"2026-11-22T10:25:30Z\","
                + "\"waiting\":\"pending in Slurm partition gpu: Resources (job 42)\"}");
        assertEquals("waiting: pending in Slurm partition gpu: Resources (job 42) (pool gpu-a, queued 5 s); fails with "
                + "ERR_NO_CAPACITY at 2026-11-22T10:25:30Z", QueueText.waiting(slurm.queue()));
    }
}
