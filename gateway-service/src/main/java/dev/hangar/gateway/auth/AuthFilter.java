package dev.hangar.gateway.auth;

import dev.hangar.contracts.Json;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every {@code /v1} request acts as an owner ({@link Authenticator}); otherwise it is 401
 * ERR_UNAUTHORIZED. Logging in ({@code POST /v1/sessions}) is the one request that brings its
 * token in the body instead.
 */
public class AuthFilter {
    private final Authenticator authenticator;
    private final Caller caller;

    public AuthFilter(Authenticator authenticator, Caller caller) {
        this.authenticator = authenticator;
        this.caller = caller;
    }

    @ServerRequestFilter
    public Optional<Response> authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/v1/") || (path.equals("/v1/sessions") && request.getMethod().equals("POST"))) {
            return Optional.empty();
        }
        String method = request.getMethod();
        var credentials = new Authenticator.Credentials(request.getHeaderString(HttpHeaders.AUTHORIZATION),
                request.getHeaderString(HttpHeaders.COOKIE), request.getHeaderString("Origin"),
                request.getHeaderString("Sec-Fetch-Site"), request.getHeaderString(HttpHeaders.HOST),
                "https".equals(request.getUriInfo().getRequestUri().getScheme()), !method.equals("GET") && !method.equals("HEAD"));
        return switch (authenticator.authenticate(credentials)) {
            case Authenticator.Owner o -> {
                caller.set(o);
                yield Optional.empty();
            }
            case Authenticator.Refused r -> Optional.of(Response.status(r.problem().status())
                    .type(dev.hangar.contracts.Problem.MEDIA_TYPE).entity(Json.write(r.problem())).build());
        };
    }
}
