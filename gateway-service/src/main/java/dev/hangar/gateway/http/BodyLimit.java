package dev.hangar.gateway.http;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Problem;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a request whose declared body is larger than {@code quarkus.http.limits.max-body-size}
 * with a 413 problem that says the limit, before any of it is read. (A chunked body without a
 * length that grows past the limit is cut off by Vert.x itself with a bare 413.)
 */
@ApplicationScoped
public class BodyLimit {
    private final long limit;

    public BodyLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit) {
        this.limit = limit.asLongValue();
    }

    void register(@Observes Filters filters) {
        filters.register(rc -> {
            String length = rc.request().getHeader("Content-Length");
            if (length != null && tooLarge(length)) {
                var p = Problem.of(ErrorCode.ERR_BAD_REQUEST, "the request body is " + length.strip() + " bytes; this gateway takes at most "
                        + limit + " bytes (quarkus.http.limits.max-body-size, HANGAR_MAX_BODY_SIZE): send less", null, null);
                var problem = new Problem(p.type(), p.title(), 413, p.detail(), p.code(), null, p.errors());
                rc.response().setStatusCode(413).putHeader("Content-Type", Problem.MEDIA_TYPE).end(Json.write(problem));
                return;
            }
            rc.next();
        }, 10_000);
    }

    private boolean tooLarge(String length) {
        try {
            return Long.parseLong(length.strip()) > limit;
        } catch (NumberFormatException e) {
            return false; // Vert.x refuses a malformed length itself
        }
    }
}
