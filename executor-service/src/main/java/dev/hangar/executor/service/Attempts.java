package dev.hangar.executor.service;

import dev.hangar.contracts.AttemptClaim;

/**
 * Who counts a run's attempts (the gateway, {@link GatewayAttempts}). A claim answers the next
 * attempt, or throws {@code ERR_RUN_FINISHED} (the run has ended: drop the command) or
 * {@code ERR_ATTEMPTS_EXHAUSTED} (end the run with that code).
 */
public interface Attempts {

    AttemptClaim claim(String executionId, int maxAttempts);
}
