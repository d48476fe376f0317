package dev.hangar.gateway.health;

import dev.hangar.kit.tls.HangarTls;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.Readiness;

/** Every submission resolves its processor there. (Singleton: the base class has no no-args constructor for a proxy.) */
@Readiness
@Singleton
public class RegistryServiceCheck extends UpstreamCheck {

    public RegistryServiceCheck(@ConfigProperty(name = "quarkus.rest-client.registry.url") String url, HangarTls tls) {
        super("registry-service", url, tls);
    }
}
