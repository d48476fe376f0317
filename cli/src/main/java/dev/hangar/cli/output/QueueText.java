package dev.hangar.cli.output;

import dev.hangar.contracts.RunQueue;
import dev.hangar.contracts.RunSummary;

/** Where a queued run waits, in words, for {@code runs list} and {@code run}. */
public final class QueueText {
    private QueueText() {}

    /** The status column: {@code queued}, or {@code queued (held #3)} / {@code queued (dispatched)}. */
    public static String status(RunSummary run) {
        RunQueue q = run.queue();
        if (q == null || q.state() == null) {
            return run.status().wire();
        }
        return run.status().wire() + " (" + switch (q.state()) {
            case HELD_OWNER_LIMIT -> "held #" + q.position();
            case DISPATCHING -> "dispatching";
            case DISPATCHED -> q.pool() == null ? "dispatched" : "waiting for pool " + q.pool();
        } + ")";
    }

    /** One line for a run that waits, or null when it does not. */
    public static String waiting(RunQueue q) {
        if (q == null || q.state() == null) {
            return null;
        }
        String waited = q.queuedForMs() == null ? "" : ", queued " + q.queuedForMs() / 1000 + " s";
        return switch (q.state()) {
            case HELD_OWNER_LIMIT -> "waiting: held by the gateway, position " + q.position() + " among your waiting runs ("
                    + q.ownerActive() + " of your limit of " + q.ownerLimit() + " running or dispatched" + waited + ")";
            case DISPATCHING -> "waiting: on its way to the executors" + waited;
            case DISPATCHED -> q.pool() == null ? "waiting: for a free executor" + waited
                    : q.waiting() != null ? "waiting: " + q.waiting() + " (pool " + q.pool() + waited + ")"
                            + (q.capacityDeadline() == null ? "" : "; fails with ERR_NO_CAPACITY at " + q.capacityDeadline())
                    : "waiting: for an executor of pool " + q.pool() + " with room" + waited
                            + (q.capacityDeadline() == null ? "" : "; fails with ERR_NO_CAPACITY at " + q.capacityDeadline());
        };
    }
}
