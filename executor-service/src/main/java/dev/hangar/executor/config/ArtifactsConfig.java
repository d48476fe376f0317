package dev.hangar.executor.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where outputs are uploaded. */
@ConfigMapping(prefix = "hangar.artifacts")
public interface ArtifactsConfig {

    /** The artefacts bucket; {@code /artifacts/} paths are keys in it. */
    @WithDefault("hangar-artifacts")
    String bucket();
}
