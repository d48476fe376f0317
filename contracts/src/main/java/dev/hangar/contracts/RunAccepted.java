package dev.hangar.contracts;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** The {@code 202} answer to a run submission: where to follow it. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RunAccepted(String executionId, RunStatus status, String runUrl, String streamUrl) {
    /** The same run, standing at {@code now}. */
    public RunAccepted withStatus(RunStatus now) {
        return new RunAccepted(executionId, now, runUrl, streamUrl);
    }
}
