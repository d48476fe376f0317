package dev.hangar.contracts;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One stored output: its absolute artefact path, content id ({@code sha256:<hex>} of the bytes),
 * size and media type.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record OutputRef(String path, String cid, long sizeBytes, String mime) {}
