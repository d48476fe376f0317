package dev.hangar.gateway.error;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Problem;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import org.jboss.logging.Logger;

/** Every failure leaves as problem+json with a stable code; internals stay in the log. */
@Provider
public class ProblemMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @Override
    public Response toResponse(Throwable t) {
        Problem problem = Problem.from(t, null);
        if (problem.code() == ErrorCode.ERR_INTERNAL && t instanceof WebApplicationException w
                && w.getResponse().getStatus() < 500) {
            // The framework refused the request (no route, wrong method or media type): the caller must fix it.
            int status = w.getResponse().getStatus();
            problem = Problem.of(ErrorCode.ERR_BAD_REQUEST, w.getMessage(), null, List.of());
            problem = new Problem(problem.type(), problem.title(), status, problem.detail(), problem.code(), null, List.of());
        } else if (problem.code() == ErrorCode.ERR_INTERNAL) {
            LOG.error("unhandled failure", t);
        }
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }
}
