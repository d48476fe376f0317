package dev.hangar.contracts;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A budget plan ({@code GET/PUT /v1/plans/{key}}): runs charged to it may spend up to
 * {@code limit} credits; {@code reserved} is held by runs still going (their worst case).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Plan(String key, double limit, double spent, double reserved) {

    /** Body of {@code PUT /v1/plans/{key}}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Limit(Double limit) {}

    public double remaining() {
        return Math.max(0, limit - spent - reserved);
    }
}
