package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/** {@code POST /v1/artifacts/presign}: a time-limited URL to GET or PUT one artefact directly. */
public final class Presign {
    private Presign() {}

    /** @param method GET or PUT; @param expiresSeconds 1..604800, default 900 */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Request(String path, String method, Integer expiresSeconds) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Url(String url, String method, Instant expiresAt) {}
}
