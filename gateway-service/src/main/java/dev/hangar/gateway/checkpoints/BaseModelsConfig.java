package dev.hangar.gateway.checkpoints;

import io.smallrye.config.ConfigMapping;
import java.util.Map;
import java.util.Optional;

/**
 * The base models this gateway serves, by id: {@code hangar.gateway.models."hangar/tiny-lm".trainer=hangar/tiny-lm-train@1}.
 * {@code sampler} is the sampling processor's ref (the sampling code's key, listed here so one
 * mapping knows every key of a model and none is refused as unknown).
 */
@ConfigMapping(prefix = "hangar.gateway")
public interface BaseModelsConfig {

    /** Model id → its processors. */
    Map<String, Model> models();

    interface Model {
        /** The processor that trains LoRA adapters on the model ({@code POST /v1/training-runs}). */
        Optional<String> trainer();

        /** The processor that samples from it (and from its adapters). */
        Optional<String> sampler();
    }
}
