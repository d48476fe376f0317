package dev.hangar.executor.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Bounds on everything the executor reads from a container, so a processor that floods gets a
 * clear {@code ERR_OUTPUT_LIMIT} instead of filling the executor's memory or the bucket.
 */
@ConfigMapping(prefix = "hangar.executor.limits")
public interface LimitsConfig {

    /** Entries (files and folders) a run may leave in its outputs folder. */
    @WithDefault("1000")
    int maxOutputFiles();

    /** Total bytes of a run's output files. */
    @WithDefault("1073741824")
    long maxOutputBytes();

    /**
     * The largest reply the executor reads from a container's runtime: a whole JSON body, one SSE
     * event (the final one carries the prediction with its logs), one header block.
     */
    @WithDefault("16777216")
    int maxReplyBytes();

    /** Connections a real-mode run may hold open through its egress proxy at once. */
    @WithDefault("64")
    int maxEgressConnections();
}
