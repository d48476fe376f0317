package dev.hangar.executor.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Settings for unmodified Cog images ({@code server: cog-http} in the spec): the image whose
 * {@code hangar_runtime.forward} joins the run folder's socket to the Cog server's TCP port, in
 * a sidecar sharing the Cog container's network namespace (executor-service/README.md).
 */
@ConfigMapping(prefix = "hangar.executor.cog")
public interface CogConfig {
    /** Defaults, for tests and callers without a config. */
    CogConfig DEFAULTS = of("127.0.0.1:5000/hangar/runtime-python:3.11");

    /** The Hangar runtime image the forwarder sidecar runs (it holds {@code hangar_runtime.forward}); must be on the engine. */
    @WithDefault("127.0.0.1:5000/hangar/runtime-python:3.11")
    String forwarderImage();

    /** These settings with another forwarder image. */
    static CogConfig of(String forwarderImage) {
        return () -> forwarderImage;
    }
}
