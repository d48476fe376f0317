package dev.hangar.gateway.sampling;

import dev.hangar.contracts.Json;
import dev.hangar.contracts.Problem;
import dev.hangar.contracts.RunAccepted;
import dev.hangar.contracts.Sampling;
import dev.hangar.gateway.auth.Caller;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Sampling from a base model (docs/sampling.md): synchronous with a timeout. {@code POST} waits up
 * to {@code wait_ms} (default {@code hangar.gateway.sampling.default-wait}) and answers 200 with the
 * samples, or 202 with the run (and its stream) when it is still going; {@code GET
 * /v1/sample/{run_id}} answers the same later. A run that failed answers its own error code,
 * with the run id. On virtual threads: a request spends most of its life waiting.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class SampleResource {
    /** The header a retried POST carries so it does not start a second run. */
    public static final String IDEMPOTENCY_HEADER = "X-Idempotency-Key";
    private final SamplingService sampling;
    private final Caller caller;

    public SampleResource(SamplingService sampling, Caller caller) {
        this.sampling = sampling;
        this.caller = caller;
    }

    /** The base models this installation samples from. */
    @GET
    @Path("/models")
    public Sampling.BaseModels models() {
        return sampling.models();
    }

    @POST
    @Path("/sample")
    @RunOnVirtualThread
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "sampled",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Sampling.Response.class)))
    @APIResponse(responseCode = "202", description = "still running after wait_ms: follow the run, then GET /v1/sample/{run_id}",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunAccepted.class)))
    public Response sample(Sampling.Request request, @QueryParam("wait_ms") Long waitMs,
                           @HeaderParam(IDEMPOTENCY_HEADER) String idempotencyKey) {
        return answer(sampling.sample(request, caller.owner(), caller.scopes(), waitMs, idempotencyKey));
    }

    @GET
    @Path("/sample/{runId}")
    @RunOnVirtualThread
    public Response result(@PathParam("runId") String runId, @QueryParam("wait_ms") Long waitMs) {
        return answer(sampling.result(runId, caller.owner(), waitMs));
    }

    private static Response answer(SamplingService.Outcome outcome) {
        return switch (outcome) {
            case SamplingService.Outcome.Done done -> Response.ok(done.response()).build();
            case SamplingService.Outcome.Pending pending -> Response.status(202).entity(pending.run())
                    .location(URI.create("/v1/sample/" + pending.run().executionId())).build();
            case SamplingService.Outcome.Failed failed -> {
                var problem = Problem.of(failed.error().code(), "sampling run " + failed.runId() + " ended with "
                        + failed.error().code() + ": " + failed.error().message(), failed.runId(), null);
                yield Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(Json.write(problem)).build();
            }
        };
    }
}
