package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * A run's state, with its transitions in one table. Terminal states carry an envelope whose
 * {@code status} is {@code success}, {@code error} or {@code canceled}.
 */
public enum RunStatus {
    QUEUED, RUNNING, SUCCESS, ERROR, CANCELED;

    private static final Map<RunStatus, Set<RunStatus>> NEXT = Map.of(
            QUEUED, EnumSet.of(RUNNING, SUCCESS, ERROR, CANCELED),
            RUNNING, EnumSet.of(SUCCESS, ERROR, CANCELED),
            SUCCESS, EnumSet.noneOf(RunStatus.class),
            ERROR, EnumSet.noneOf(RunStatus.class),
            CANCELED, EnumSet.noneOf(RunStatus.class));

    /** Whether a run in this state may move to {@code next}; events out of order are ignored. */
    public boolean canMoveTo(RunStatus next) {
        return NEXT.get(this).contains(next);
    }

    public boolean terminal() {
        return NEXT.get(this).isEmpty();
    }

    @JsonValue
    public String wire() {
        return WireEnums.wire(this);
    }

    /** Throws {@link ErrorCode#ERR_OPTION_INVALID} for an unknown value. */
    public static RunStatus fromWire(String s) {
        return WireEnums.parse(RunStatus.class, "status", s);
    }
}
