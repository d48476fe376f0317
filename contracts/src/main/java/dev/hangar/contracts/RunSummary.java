package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/** One row of {@code GET /v1/runs}; {@code queue} says why and where a queued run waits (absent otherwise). */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunSummary(String executionId, ProcessorRef ref, RunStatus status, Adapter adapter, Mode mode,
                         Instant createdAt, Instant updatedAt, RunQueue queue) {

    /** This summary with where the run waits. */
    public RunSummary withQueue(RunQueue queue) {
        return new RunSummary(executionId, ref, status, adapter, mode, createdAt, updatedAt, queue);
    }
}
