package dev.hangar.executor.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.ProcessorSpec;

/**
 * A run after every check: the spec, the digest-qualified image, the resolved write prefix
 * ({@code /artifacts/...}/) and validated inputs.
 */
public record RunPlan(ProcessorSpec spec, String image, String writePrefix, JsonNode inputs, boolean mock) {

    /** The manifest digest part of {@link #image()}. */
    public String digest() {
        return image.substring(image.indexOf('@') + 1);
    }

    /** The repository part of {@link #image()}. */
    public String repository() {
        return image.substring(0, image.indexOf('@'));
    }
}
