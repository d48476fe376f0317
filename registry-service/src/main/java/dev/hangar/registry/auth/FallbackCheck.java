package dev.hangar.registry.auth;

import dev.hangar.contracts.InternalAuth;
import dev.hangar.kit.auth.FallbackKeys;
import dev.hangar.registry.config.RegistryConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/** Stops the service at start when its internal token is still the built-in one outside dev/test. */
@ApplicationScoped
class FallbackCheck {
    void onStart(@Observes StartupEvent start, RegistryConfig config) {
        FallbackKeys.refuseInProduction("registry-service", List.of(new FallbackKeys.Key("hangar.registry.internal-token",
                "HANGAR_INTERNAL_TOKEN", config.internalToken(), InternalAuth.FALLBACK_TOKEN)));
    }
}
