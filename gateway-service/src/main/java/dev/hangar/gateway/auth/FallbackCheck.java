package dev.hangar.gateway.auth;

import dev.hangar.contracts.InternalAuth;
import dev.hangar.gateway.config.GatewayConfig;
import dev.hangar.kit.auth.FallbackKeys;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/** Stops the gateway at start when its secrets key or internal token is still the built-in one outside dev/test. */
@ApplicationScoped
class FallbackCheck {
    static final String SECRETS_KEY_FALLBACK = "local-development-secrets-key";

    void onStart(@Observes StartupEvent start, GatewayConfig config) {
        FallbackKeys.refuseInProduction("gateway-service", List.of(
                new FallbackKeys.Key("hangar.gateway.secrets-key", "HANGAR_SECRETS_KEY", config.secretsKey(), SECRETS_KEY_FALLBACK),
                new FallbackKeys.Key("hangar.gateway.internal-token", "HANGAR_INTERNAL_TOKEN", config.internalToken(),
                        InternalAuth.FALLBACK_TOKEN)));
    }
}
