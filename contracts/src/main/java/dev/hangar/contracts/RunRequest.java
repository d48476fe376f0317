package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The body of {@code POST /v1/runs}.
 *
 * @param ref         {@code ns/name@version}
 * @param adapter     {@code local} or {@code remote}; default local
 * @param mode        {@code mock} (no network, deterministic) or {@code real}; default mock
 * @param platform    {@code amd64} or {@code arm64}; default the executor host's
 * @param writePrefix output location template; default {@link WritePrefix#DEFAULT}
 * @param inputs      the processor's inputs, checked against its schema
 * @param adapterOpts adapter options
 * @param build       run the newest local build instead of the pinned digest
 * @param timeoutSeconds  stop the run at this deadline (ERR_TIMEOUT); default the spec's
 * @param idempotencyKey  the same key returns the same run instead of starting another
 * @param plan        the budget plan this run is charged to
 * @param attachments name → artefact path ({@code /artifacts/inputs/{cid}/{filename}}), referenced
 *                    from inputs as {@code {"$attach":"name"}}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunRequest(String ref, String adapter, String mode, String platform, String writePrefix,
                         JsonNode inputs, JsonNode adapterOpts, Boolean build, Integer timeoutSeconds,
                         String idempotencyKey, String plan, java.util.Map<String, String> attachments) {

    /** A request with only the fields most callers set. */
    public static RunRequest of(String ref, String mode, JsonNode inputs) {
        return new RunRequest(ref, null, mode, null, null, inputs, null, null, null, null, null, null);
    }
}
