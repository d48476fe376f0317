package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;

/** One stored artefact, as listed by the storage service. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ArtifactInfo(String path, long sizeBytes, String etag, Instant lastModified) {

    /** A page of {@code GET /v1/artifacts?prefix=…}; pass {@code next_token} back as {@code token}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Page(List<ArtifactInfo> items, String nextToken) {}
}
