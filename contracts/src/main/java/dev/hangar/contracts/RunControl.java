package dev.hangar.contracts;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/** A record on {@code hangar.runs.control} (key = execution id): stop a run, wherever it is. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RunControl(int schemaVersion, String executionId, Instant createdAt, String action) {
    public static final String CANCEL = "cancel";

    public static RunControl cancel(String executionId) {
        return new RunControl(1, executionId, Instant.now(), CANCEL);
    }
}
