package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/** A record on {@code hangar.runs.control} (key = execution id): stop a run, wherever it is. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RunControl(int schemaVersion, String executionId, Instant createdAt, Action action) {
    public static final int SCHEMA_VERSION = 1;

    /** What to do with the run. */
    public enum Action {
        CANCEL;

        @JsonValue
        public String wire() {
            return WireEnums.wire(this);
        }

        public static Action fromWire(String value) {
            return WireEnums.parse(Action.class, "action", value);
        }
    }

    public static RunControl cancel(String executionId) {
        return new RunControl(SCHEMA_VERSION, executionId, Instant.now(), Action.CANCEL);
    }

    /**
     * The {@code 202} answer to {@code POST /v1/runs/{id}/cancel}: the cancel is on the bus and
     * the run's envelope will follow; {@code status} is always {@value #CANCELING}.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Accepted(String executionId, String status) {
        public static final String CANCELING = "canceling";

        public static Accepted of(String executionId) {
            return new Accepted(executionId, CANCELING);
        }
    }
}
