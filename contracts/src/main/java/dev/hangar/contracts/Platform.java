package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonValue;

/** The CPU architecture an image is pinned for (a digest per platform). */
public enum Platform {
    AMD64, ARM64;

    @JsonValue
    public String wire() {
        return WireEnums.wire(this);
    }

    /** Throws {@link ErrorCode#ERR_OPTION_INVALID} for an unknown value (JSON: see {@link WireEnums}). */
    public static Platform fromWire(String value) {
        return WireEnums.parse(Platform.class, "platform", value);
    }

    public static String allowed() {
        return WireEnums.allowed(Platform.class);
    }
}
