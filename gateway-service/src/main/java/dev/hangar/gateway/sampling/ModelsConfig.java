package dev.hangar.gateway.sampling;

import dev.hangar.contracts.Mode;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;
import java.util.Map;
import java.util.Optional;

/**
 * The base models this gateway serves, by id: {@code hangar.gateway.models."<id>".sampler} is the
 * processor ref that samples from it (e.g. {@code "hangar/tiny-lm".sampler=hangar/tiny-lm@1}), {@code .trainer}
 * the one that trains LoRAs on it (e.g. {@code hangar/tiny-lm-train@1}), {@code .session} the one
 * that holds a Tinker training session on it (e.g. {@code hangar/tiny-lm-session@1}). An
 * id names a model to users and Tinker clients; the ref behind it can move to a new version
 * without any client changing.
 */
@ConfigMapping(prefix = "hangar.gateway.models")
public interface ModelsConfig {

    /** Every configured base model, by id. */
    @WithParentName
    Map<String, Model> byId();

    /** One base model. */
    interface Model {
        /** The sampling processor's ref, {@code ns/name@version}. */
        String sampler();

        /** The mode its sampling, training and session runs use: {@code real} (the model's weights) or {@code mock} (the processor's mock). */
        @WithDefault("real")
        Mode mode();

        /** One line for {@code GET /v1/models}. */
        Optional<String> description();

        /** The processor that trains LoRA adapters on it ({@code POST /v1/training-runs}, docs/checkpoints.md); absent: none. */
        Optional<String> trainer();

        /** The processor that holds training sessions on it (docs/training-sessions.md); absent: none start from it. */
        Optional<String> session();
    }
}
