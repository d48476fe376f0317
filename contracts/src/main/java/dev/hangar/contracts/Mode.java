package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * {@code mock}: deterministic, offline output and no network at all; {@code real}: the processor
 * does its real work and may receive its secrets.
 */
public enum Mode {
    MOCK, REAL;

    public static final Mode DEFAULT = MOCK;

    @JsonValue
    public String wire() {
        return WireEnums.wire(this);
    }

    /** Throws {@link ErrorCode#ERR_OPTION_INVALID} for an unknown value (JSON: see {@link WireEnums}). */
    public static Mode fromWire(String value) {
        return WireEnums.parse(Mode.class, "mode", value);
    }

    public static String allowed() {
        return WireEnums.allowed(Mode.class);
    }
}
