package dev.hangar.storage.auth;

import dev.hangar.contracts.InternalAuth;
import dev.hangar.kit.auth.InternalGuard;
import dev.hangar.storage.config.StorageConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Only Hangar's services call storage: every request but {@code /q/} carries the internal token,
 * or gets 401 ERR_INTERNAL_UNAUTHORIZED. Tenants reach artefacts through the gateway, which checks
 * that each path is theirs before it asks for a presigned URL.
 */
public class InternalTokenFilter {
    private final StorageConfig config;

    public InternalTokenFilter(StorageConfig config) {
        this.config = config;
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> authenticate(ContainerRequestContext request) {
        return InternalGuard.check(request.getUriInfo().getPath(), request.getHeaderString(InternalAuth.TOKEN_HEADER),
                config.internalToken());
    }
}
