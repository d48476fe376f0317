package dev.hangar.gateway.auth;

import dev.hangar.contracts.ApiToken;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Problem;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Streams are reads: a stream upgrade whose token lacks the {@code read} scope is refused with
 * 403 ERR_SCOPE_MISSING before the socket opens. Runs first on the upgrade request (a plain
 * Vert.x route, on the event loop: tokens are checked in memory); who the socket may follow is
 * still decided by the sockets themselves.
 */
@ApplicationScoped
public class StreamScopeFilter {
    private final Authenticator authenticator;

    public StreamScopeFilter(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    void install(@Observes Router router) {
        router.routeWithRegex("/v1/runs(/[^/]+)?/stream").order(-1000).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        var request = ctx.request();
        var credentials = new Authenticator.Credentials(request.getHeader(HttpHeaders.AUTHORIZATION), request.getHeader(HttpHeaders.COOKIE),
                request.getHeader(HttpHeaders.ORIGIN), request.getHeader("Sec-Fetch-Site"), request.getHeader(HttpHeaders.HOST),
                request.isSSL(), true);
        if (authenticator.authenticate(credentials) instanceof Authenticator.Owner owner && !owner.has(ApiToken.Scope.READ)) {
            Problem p = Authenticator.missingScope(ApiToken.Scope.READ, "following a run's stream");
            ctx.response().setStatusCode(p.status()).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE).end(Json.write(p));
            return;
        }
        ctx.next();
    }
}
