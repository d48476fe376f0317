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
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunRequest(String ref, String adapter, String mode, String platform, String writePrefix,
                         JsonNode inputs, JsonNode adapterOpts, Boolean build) {}
