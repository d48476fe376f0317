package dev.hangar.gateway.health;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.Readiness;

/** Every submission resolves its processor there. (Singleton: the base class has no no-args constructor for a proxy.) */
@Readiness
@Singleton
public class RegistryServiceCheck extends UpstreamCheck {

    public RegistryServiceCheck(@ConfigProperty(name = "quarkus.rest-client.registry.url") String url) {
        super("registry-service", url);
    }
}
