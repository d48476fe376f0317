package dev.hangar.registry.auth;

import dev.hangar.contracts.InternalAuth;
import dev.hangar.kit.auth.InternalGuard;
import dev.hangar.registry.config.RegistryConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Only Hangar's services call the registry: every request but {@code /q/} carries the internal
 * token, or gets 401 ERR_INTERNAL_UNAUTHORIZED. Tenants reach the catalogue through the gateway,
 * which says who they are in {@code X-Hangar-Owner}.
 */
public class InternalTokenFilter {
    private final RegistryConfig config;

    public InternalTokenFilter(RegistryConfig config) {
        this.config = config;
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> authenticate(ContainerRequestContext request) {
        return InternalGuard.check(request.getUriInfo().getPath(), request.getHeaderString(InternalAuth.TOKEN_HEADER),
                config.internalToken());
    }
}
