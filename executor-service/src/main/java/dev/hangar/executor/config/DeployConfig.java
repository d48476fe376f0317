package dev.hangar.executor.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How this executor keeps deployments warm (docs/deploy.md). */
@ConfigMapping(prefix = "hangar.executor.deploy")
public interface DeployConfig {
    /** How long a deploy waits for its {@code min_warm} containers to be READY before it reports failed (env HANGAR_DEPLOY_READY_TIMEOUT). */
    @WithDefault("120s")
    Duration readyTimeout();

    /**
     * How often this executor re-reports each deployment it holds (its READY count) on
     * {@code hangar.deploy.events} (env HANGAR_DEPLOY_REPORT_INTERVAL): the registry calls a
     * placement unhealthy once it has been silent for its {@code stale-after} (default 30 s).
     */
    @WithDefault("10s")
    Duration reportInterval();
}
