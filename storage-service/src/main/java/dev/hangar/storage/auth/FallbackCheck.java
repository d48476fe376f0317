package dev.hangar.storage.auth;

import dev.hangar.contracts.InternalAuth;
import dev.hangar.kit.auth.FallbackKeys;
import dev.hangar.storage.config.StorageConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/** Stops the service at start when its internal token is still the built-in one outside dev/test. */
@ApplicationScoped
class FallbackCheck {
    void onStart(@Observes StartupEvent start, StorageConfig config) {
        FallbackKeys.refuseInProduction("storage-service", List.of(new FallbackKeys.Key("hangar.storage.internal-token",
                "HANGAR_INTERNAL_TOKEN", config.internalToken(), InternalAuth.FALLBACK_TOKEN)));
    }
}
