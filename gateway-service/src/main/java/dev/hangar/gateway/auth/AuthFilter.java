package dev.hangar.gateway.auth;

import dev.hangar.contracts.ApiToken;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Problem;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every {@code /v1} request acts as an owner ({@link Authenticator}); otherwise it is 401
 * ERR_UNAUTHORIZED. Its token must have the scope the request needs ({@link #required}), or it is
 * 403 ERR_SCOPE_MISSING. Logging in ({@code POST /v1/sessions}) is the one request that brings its
 * token in the body instead. Tinker's surface ({@code /api/v1}, docs/tinker-api.md) takes the same
 * tokens in {@code x-api-key} (or a bearer header), never a cookie; its health check is open.
 */
public class AuthFilter {
    /** Tinker's REST surface. */
    public static final String TINKER = "/api/v1/";
    /** Tinker's credential header. */
    public static final String API_KEY = "x-api-key";
    private final Authenticator authenticator;
    private final Caller caller;

    public AuthFilter(Authenticator authenticator, Caller caller) {
        this.authenticator = authenticator;
        this.caller = caller;
    }

    @ServerRequestFilter
    public Optional<Response> authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        boolean tinker = path.startsWith(TINKER) && !path.equals(TINKER + "healthz");
        if (!tinker && (!path.startsWith("/v1/") || (path.equals("/v1/sessions") && request.getMethod().equals("POST")))) {
            return Optional.empty();
        }
        String method = request.getMethod();
        String apiKey = request.getHeaderString(API_KEY);
        String authorization = tinker && apiKey != null && !apiKey.isBlank() ? "Bearer " + apiKey.strip()
                : request.getHeaderString(HttpHeaders.AUTHORIZATION);
        var credentials = new Authenticator.Credentials(authorization,
                tinker ? null : request.getHeaderString(HttpHeaders.COOKIE), request.getHeaderString("Origin"),
                request.getHeaderString("Sec-Fetch-Site"), request.getHeaderString(HttpHeaders.HOST),
                "https".equals(request.getUriInfo().getRequestUri().getScheme()), !method.equals("GET") && !method.equals("HEAD"));
        return switch (authenticator.authenticate(credentials)) {
            case Authenticator.Owner o -> {
                caller.set(o);
                yield required(path, method).filter(scope -> !o.has(scope)).map(scope -> problem(Authenticator.missingScope(scope,
                        method + " " + path)));
            }
            case Authenticator.Refused r -> Optional.of(problem(r.problem()));
        };
    }

    /**
     * The scope a request needs: none to see who one is, log out or manage one's own tokens (the
     * resource checks the rest), {@code admin} to grant namespaces, {@code read} for any other GET,
     * {@code run} for any other change.
     */
    static Optional<ApiToken.Scope> required(String path, String method) {
        if (path.startsWith(TINKER)) { // reads that Tinker sends as POST
            boolean read = method.equals("GET") || path.equals(TINKER + "retrieve_future") || path.equals(TINKER + "weights_info");
            return Optional.of(read ? ApiToken.Scope.READ : ApiToken.Scope.RUN);
        }
        if (path.equals("/v1/session") || path.startsWith("/v1/sessions") || path.equals("/v1/tokens") || path.startsWith("/v1/tokens/")) {
            return Optional.empty();
        }
        boolean read = method.equals("GET") || method.equals("HEAD");
        if (path.startsWith("/v1/namespaces/") && !read) {
            return Optional.of(ApiToken.Scope.ADMIN);
        }
        return Optional.of(read ? ApiToken.Scope.READ : ApiToken.Scope.RUN);
    }

    private static Response problem(Problem p) {
        return Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(Json.write(p)).build();
    }
}
