package dev.hangar.gateway.auth;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Problem;
import dev.hangar.gateway.config.GatewayConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every {@code /v1} request acts as the owner of its bearer token; no or an unknown token is
 * 401 ERR_UNAUTHORIZED. With {@code hangar.gateway.auth-enabled=false} everyone is {@code local}.
 */
public class AuthFilter {
    public static final String LOCAL = "local";
    /** The one answer to a request or socket without a valid token. */
    public static final Problem UNAUTHORIZED = Problem.of(ErrorCode.ERR_UNAUTHORIZED, "send `Authorization: Bearer <token>` "
            + "with a valid API token (bin/hangar uses the local stack's; elsewhere set HANGAR_TOKEN)", null, List.of());
    private final TokenStore tokens;
    private final GatewayConfig config;
    private final Caller caller;

    public AuthFilter(TokenStore tokens, GatewayConfig config, Caller caller) {
        this.tokens = tokens;
        this.config = config;
        this.caller = caller;
    }

    @ServerRequestFilter
    public Optional<Response> authenticate(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/v1/")) {
            return Optional.empty();
        }
        Optional<String> owner = ownerOf(request.getHeaderString("Authorization"), tokens, config);
        if (owner.isEmpty()) {
            return Optional.of(Response.status(401).type(Problem.MEDIA_TYPE).entity(Json.write(UNAUTHORIZED)).build());
        }
        caller.set(owner.get());
        return Optional.empty();
    }

    /** The owner an Authorization header acts as, if any. */
    public static Optional<String> ownerOf(String authorization, TokenStore tokens, GatewayConfig config) {
        if (!config.authEnabled()) {
            return Optional.of(LOCAL);
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return tokens.owner(authorization.substring(7).strip());
    }
}
