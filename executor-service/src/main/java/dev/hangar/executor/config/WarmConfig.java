package dev.hangar.executor.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The executor's side of warm containers (docs/warm-pool.md); how many and for how long is the
 * processor spec's {@code warm} block.
 */
@ConfigMapping(prefix = "hangar.executor.warm")
public interface WarmConfig {

    /** Whether specs with a {@code warm} block get warm containers here at all (false: every run is cold). */
    @WithDefault("true")
    boolean enabled();

    /** How often each warm container's health is asked over its socket and idle ones above min_warm are removed. */
    @WithDefault("2s")
    Duration monitorInterval();

    /**
     * How long a spec read from the registry is reused for later runs of the same ref. A command
     * that names another image than the cached pin always reads the spec again, so a
     * {@code push --override} repin is seen at once by gateway-submitted runs; a bus command that
     * names no image may use the previous pin for at most this long. 0 = read it for every run.
     */
    @WithDefault("5s")
    Duration specCacheTtl();

    /** Defaults, for tests that build the executor's parts by hand. */
    WarmConfig DEFAULTS = new WarmConfig() {
        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public Duration monitorInterval() {
            return Duration.ofSeconds(2);
        }

        @Override
        public Duration specCacheTtl() {
            return Duration.ofSeconds(5);
        }
    };
}
