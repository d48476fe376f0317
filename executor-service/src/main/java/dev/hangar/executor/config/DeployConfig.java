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
}
