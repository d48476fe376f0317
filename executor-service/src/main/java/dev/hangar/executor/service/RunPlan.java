package dev.hangar.executor.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.ProcessorSpec;
import java.util.Map;

/**
 * A run after every check: the spec, the digest-qualified image, the resolved write prefix
 * ({@code /artifacts/...}/), inputs with attachment references resolved, the limits in force
 * (spec, adapter options and run timeout combined), the input files to fetch (container path →
 * artefact path) and the secret values real mode needs.
 */
public record RunPlan(ProcessorSpec spec, String image, String writePrefix, JsonNode inputs, boolean mock,
                      ProcessorSpec.Resources limits, Map<String, String> files, Map<String, String> secrets,
                      boolean keepContainer) {

    /** The manifest digest part of {@link #image()}. */
    public String digest() {
        return image.substring(image.indexOf('@') + 1);
    }

    /** The repository part of {@link #image()}. */
    public String repository() {
        return image.substring(0, image.indexOf('@'));
    }
}
