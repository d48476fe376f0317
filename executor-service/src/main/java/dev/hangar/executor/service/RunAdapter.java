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
}
