package dev.hangar.executor.config;

import dev.hangar.contracts.InternalAuth;
import dev.hangar.kit.auth.FallbackKeys;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/** Stops the executor at start when its internal token is still the built-in one outside dev/test. */
@ApplicationScoped
class FallbackCheck {
    void onStart(@Observes StartupEvent start, ExecutorConfig config) {
        FallbackKeys.refuseInProduction("executor-service", List.of(new FallbackKeys.Key("hangar.executor.internal-token",
                "HANGAR_INTERNAL_TOKEN", config.internalToken(), InternalAuth.FALLBACK_TOKEN)));
    }
}
