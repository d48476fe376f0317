package dev.hangar.executor.service;

import dev.hangar.contracts.Envelope;

/** Where a run executes. Each adapter turns a checked plan into exactly one envelope. */
public interface RunAdapter {

    /** Which {@link dev.hangar.contracts.Adapter} this is. */
    dev.hangar.contracts.Adapter name();

    /** Runs the plan; failures are returned as error envelopes, never thrown at the caller. */
    Envelope execute(RunPlan plan, ActiveRun run);

    /**
     * Before a later attempt: removes whatever an earlier attempt of the run left where this
     * adapter runs (a container of an executor that was killed mid-run).
     */
    default void removeLeftovers(String executionId) {
    }

    /**
     * The executor is stopping (SIGTERM): end the runs this adapter has in flight, as a cancel
     * would, each with an error envelope that says so; returns how long the executor should wait
     * for those envelopes before it goes on stopping (zero: it does not wait, the runs are left as
     * they are, e.g. the local engine's containers, which the orphan reaper removes later).
     */
    default java.time.Duration stop() {
        return java.time.Duration.ZERO;
    }
}
