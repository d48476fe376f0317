package dev.hangar.gateway.error;

import dev.hangar.kit.error.ProblemMapper;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The service kit's problem answer, plus the {@code Retry-After} a client should wait. */
public class RateLimitedMapper {
    private final ProblemMapper problems = new ProblemMapper();

    @ServerExceptionMapper
    public Response rateLimited(RateLimited refused) {
        return Response.fromResponse(problems.toResponse(refused))
                .header(HttpHeaders.RETRY_AFTER, refused.retryAfterSeconds()).build();
    }
}
