package dev.hangar.kit.auth;

import dev.hangar.contracts.InternalAuth;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Problem;
import jakarta.ws.rs.core.Response;
import java.util.Optional;

/**
 * The check a service that only Hangar's own services may call runs on every request (each
 * service wires it into a one-line {@code @ServerRequestFilter}): everything but {@code /q/}
 * (health, metrics) needs {@link InternalAuth#TOKEN_HEADER} equal to the shared token.
 */
public final class InternalGuard {
    private InternalGuard() {}

    /** Empty when the request may proceed; otherwise the 401 ERR_INTERNAL_UNAUTHORIZED answer. */
    public static Optional<Response> check(String path, String presented, String expected) {
        if (path.startsWith("/q/") || InternalAuth.matches(expected, presented)) {
            return Optional.empty();
        }
        Problem problem = InternalAuth.refused();
        return Optional.of(Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(Json.write(problem)).build());
    }
}
