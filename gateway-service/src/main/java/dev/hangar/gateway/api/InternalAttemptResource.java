package dev.hangar.gateway.api;

import dev.hangar.contracts.AttemptClaim;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.gateway.store.AttemptStore;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Where an executor claims the next attempt of a run before it starts it (docs/delivery.md).
 * Only with the shared internal token (checked by {@link dev.hangar.gateway.internal.PortFilter}). {@code 409 ERR_RUN_FINISHED}: the run has ended, drop the
 * command; {@code 409 ERR_ATTEMPTS_EXHAUSTED}: end the run with that code; {@code 409
 * ERR_ATTEMPT_RUNNING}: another executor holds the attempt, keep the command and claim again.
 * An executor reports an attempt's end once Kafka has its envelope, so a later claim of the run
 * is refused before the gateway has consumed that envelope.
 */
@Path("/internal/v1/runs/{execution_id}/attempts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class InternalAttemptResource {
    private final AttemptStore attempts;

    public InternalAttemptResource(AttemptStore attempts) {
        this.attempts = attempts;
    }

    @POST
    public AttemptClaim claim(@PathParam("execution_id") String executionId, AttemptClaim.Request request) {
        if (request == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST,
                    "send {\"executor_id\":..., \"max_attempts\":..., \"lease_seconds\":...}");
        }
        return attempts.claim(executionId, request.requireValid());
    }

    /** Renews the lease of an attempt the executor holds; {@code 409 ERR_ATTEMPT_RUNNING} when it is no longer its own. */
    @PUT
    @Path("/{attempt}")
    public AttemptClaim renew(@PathParam("execution_id") String executionId, @PathParam("attempt") int attempt,
                              AttemptClaim.Request request) {
        if (request == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "send {\"executor_id\":..., \"max_attempts\":..., \"lease_seconds\":...}");
        }
        request.requireValid();
        if (!attempts.renew(executionId, attempt, request.executorId(), request.leaseSeconds())) {
            throw new HangarException(ErrorCode.ERR_ATTEMPT_RUNNING, "attempt " + attempt + " of run " + executionId
                    + " is not held by " + request.executorId() + " any more");
        }
        return new AttemptClaim(executionId, attempt, request.maxAttempts(), request.executorId());
    }

    /** The executor's attempt has ended (its envelope is on Kafka); {@code 409 ERR_ATTEMPT_RUNNING} when it is not its own. */
    @POST
    @Path("/{attempt}/end")
    public void end(@PathParam("execution_id") String executionId, @PathParam("attempt") int attempt,
                    AttemptClaim.Ended ended) {
        if (ended == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "send {\"executor_id\":..., \"status\":...}");
        }
        if (!attempts.end(executionId, attempt, ended.requireValid())) {
            throw new HangarException(ErrorCode.ERR_ATTEMPT_RUNNING, "attempt " + attempt + " of run " + executionId
                    + " is not held by " + ended.executorId());
        }
    }
}
