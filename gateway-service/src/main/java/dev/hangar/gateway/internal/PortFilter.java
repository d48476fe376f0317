package dev.hangar.gateway.internal;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.InternalAuth;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Problem;
import dev.hangar.gateway.config.GatewayConfig;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Keeps the two listeners apart: {@code /internal/**} exists only on the internal port, and there
 * only for callers with the internal token; everything else exists only on the public port.
 * Each side answers the other's paths 404, as if they were not there.
 */
public class PortFilter {
    static final String PREFIX = "/internal/";
    private final InternalServer internal;
    private final GatewayConfig config;

    public PortFilter(InternalServer internal, GatewayConfig config) {
        this.internal = internal;
        this.config = config;
    }

    @ServerRequestFilter(preMatching = true, priority = 10)
    public Optional<Response> separate(ContainerRequestContext request, HttpServerRequest http) {
        String path = request.getUriInfo().getPath();
        boolean internalPath = path.startsWith(PREFIX) || path.equals("/internal");
        boolean onInternalPort = http.localAddress() != null && http.localAddress().port() == internal.port();
        if (internalPath != onInternalPort) {
            return Optional.of(answer(Problem.of(ErrorCode.ERR_BAD_REQUEST, "no such endpoint: " + path, null, List.of()), 404));
        }
        if (onInternalPort && !InternalAuth.matches(config.internalToken(), request.getHeaderString(InternalAuth.TOKEN_HEADER))) {
            return Optional.of(answer(InternalAuth.refused(), 401));
        }
        return Optional.empty();
    }

    private static Response answer(Problem problem, int status) {
        return Response.status(status).type(Problem.MEDIA_TYPE).entity(Json.write(problem)).build();
    }
}
