package dev.hangar.executor.service;

import dev.hangar.contracts.AttemptClaim;
import dev.hangar.contracts.RunStatus;

/**
 * Who counts a run's attempts (the gateway, {@link GatewayAttempts}). A claim answers the next
 * attempt, or throws {@code ERR_RUN_FINISHED} (the run has ended: drop the command) or
 * {@code ERR_ATTEMPTS_EXHAUSTED} (end the run with that code). A claimed attempt is held under a
 * lease that {@link #hold} renews while it runs, so a rebalance does not start it twice at once.
 */
public interface Attempts {

    /** The next attempt; waits (retrying) while the gateway is unreachable or another executor holds the attempt. */
    AttemptClaim claim(String executionId, int maxAttempts);

    /** Keeps the claimed attempt this executor's (renewing its lease) until closed; the lease then runs out on its own. */
    default AutoCloseable hold(AttemptClaim claim) {
        return () -> { };
    }

    /**
     * Tells the counter the attempt has ended (Kafka has its envelope), so a redelivered command
     * is dropped at once rather than after the lease. Best effort: a report that fails leaves the
     * lease and the gateway's consumer to do it.
     */
    default void ended(String executionId, int attempt, RunStatus status) {
    }
}
