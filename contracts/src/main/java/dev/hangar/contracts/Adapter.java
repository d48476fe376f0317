package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where a run executes: {@code local} (the executor's own engine) or {@code remote} (a GPU backend). */
public enum Adapter {
    LOCAL, REMOTE;

    public static final Adapter DEFAULT = LOCAL;

    @JsonValue
    public String wire() {
        return WireEnums.wire(this);
    }

    /** Throws {@link ErrorCode#ERR_OPTION_INVALID} for an unknown value (JSON: see {@link WireEnums}). */
    public static Adapter fromWire(String value) {
        return WireEnums.parse(Adapter.class, "adapter", value);
    }

    public static String allowed() {
        return WireEnums.allowed(Adapter.class);
    }
}
