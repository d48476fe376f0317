package dev.hangar.kit.error;

import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Problem;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure of any Hangar service into {@code application/problem+json}. Internal causes are logged here with
 * their stack trace and never sent to the client.
 */
@Provider
public class ProblemMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @Override
    public Response toResponse(Throwable failure) {
        Problem problem = problem(failure);
        if (problem.code() == ErrorCode.ERR_INTERNAL) {
            LOG.error("internal error answered with 500", failure);
        } else if (problem.code() == ErrorCode.ERR_UNAVAILABLE) {
            LOG.warn(problem.detail());
        }
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(Json.write(problem)).build();
    }

    /**
     * quarkus-rest-jackson has its own mapper for an unknown property or a wrong JSON type, and the
     * more specific mapper would win over ours.
     */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException failure) {
        return toResponse(failure);
    }

    public static Problem problem(Throwable failure) {
        Problem problem = Problem.from(failure, null);
        if (problem.code() == ErrorCode.ERR_INTERNAL && failure instanceof WebApplicationException e
                && e.getResponse().getStatus() < 500) {
            // RESTEasy's own refusals (no such path, wrong method, unsupported content type, ...)
            int status = e.getResponse().getStatus();
            Problem p = Problem.of(ErrorCode.ERR_BAD_REQUEST, describe(status, e), null, null);
            return new Problem(p.type(), p.title(), status, p.detail(), p.code(), null, p.errors());
        }
        return problem;
    }

    private static String describe(int status, WebApplicationException e) {
        return switch (status) {
            case 404 -> "no such endpoint; see /q/openapi";
            case 405 -> "that HTTP method is not allowed here";
            case 406 -> "this endpoint answers application/json only";
            case 415 -> "unsupported content type; send the body as application/json";
            default -> e.getMessage();
        };
    }
}
