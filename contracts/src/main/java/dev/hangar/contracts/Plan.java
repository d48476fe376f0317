package dev.hangar.contracts;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A budget plan ({@code GET/PUT /v1/plans/{key}}): runs charged to it may spend up to
 * {@code limit} credits; {@code reserved} is held by runs still going (their worst case).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Plan(String key, double limit, double spent, double reserved) {
    /** 1 to 64 of a-z, 0-9, '.', '_', '-'. */
    public static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("[a-z0-9._-]{1,64}");

    /** Returns the key, or throws {@link ErrorCode#ERR_OPTION_INVALID} saying what a plan key may hold. */
    public static String requireKey(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "plan '" + key
                    + "' must be 1 to 64 of a-z, 0-9, '.', '_', '-'");
        }
        return key;
    }

    /** Body of {@code PUT /v1/plans/{key}}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Limit(Double limit) {}

    public double remaining() {
        return Math.max(0, limit - spent - reserved);
    }
}
