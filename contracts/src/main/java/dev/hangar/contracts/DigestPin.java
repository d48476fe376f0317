package dev.hangar.contracts;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** Body of {@code PUT /v1/processors/{ns}/{name}/versions/{ver}/digests/{platform}}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DigestPin(String digest) {}
