package dev.hangar.gateway.sampling;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code POST /v1/sample}: defaults and limits (docs/sampling.md). */
@ConfigMapping(prefix = "hangar.gateway.sampling")
public interface SamplingConfig {

    /** The {@code max_tokens} of a request that gives none (Tinker's clients may leave it out; the models need one). */
    @WithDefault("32")
    int defaultMaxTokens();

    /** The largest {@code max_tokens} accepted; the sampler's own input schema may allow fewer. */
    @WithDefault("255")
    int maxTokens();

    /** How long {@code POST /v1/sample} waits for the run by default before answering 202 with the run to follow. */
    @WithDefault("60s")
    Duration defaultWait();

    /** The longest {@code wait_ms} a request may ask for. */
    @WithDefault("5m")
    Duration maxWait();

    /** The largest {@code output.json} of a sampling run the gateway reads back. */
    @WithDefault("16777216")
    long maxResultBytes();

    /** How often a waiting request looks at the run index besides being woken by the run's end event (a fallback). */
    @WithDefault("1s")
    Duration recheck();
}
