package dev.hangar.gateway.api;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.RunAccepted;
import dev.hangar.contracts.RunControl;
import dev.hangar.contracts.RunDetail;
import dev.hangar.contracts.RunRequest;
import dev.hangar.contracts.RunSummary;
import dev.hangar.contracts.WaitPreference;
import dev.hangar.gateway.auth.Caller;
import dev.hangar.gateway.auth.RunAdmission;
import dev.hangar.gateway.service.RunControlService;
import dev.hangar.gateway.service.RunSubmissionService;
import dev.hangar.gateway.service.SubmitAdmission;
import dev.hangar.gateway.service.SubmitWait;
import io.smallrye.common.annotation.RunOnVirtualThread;
import dev.hangar.gateway.store.RunStore;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
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
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.ResponseStatus;

/** Runs: submit, look up, list, cancel. Methods are blocking (JDBC, Kafka acks) and so run on worker threads. */
@Path("/v1/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {
    private final RunSubmissionService submissions;
    private final RunControlService control;
    private final RunStore store;
    private final Caller caller;
    private final RunAdmission admission;
    private final SubmitAdmission load;
    private final SubmitWait waits;

    public RunResource(RunSubmissionService submissions, RunControlService control, RunStore store, Caller caller,
                       RunAdmission admission, SubmitAdmission load, SubmitWait waits) {
        this.caller = caller;
        this.waits = waits;
        this.load = load;
        this.admission = admission;
        this.submissions = submissions;
        this.control = control;
        this.store = store;
    }

    /**
     * Checks and queues a run: 202 with where to follow it, or 200 with the run an idempotency key
     * (the body's {@code idempotency_key}, or the {@code Idempotency-Key} header) already started; 429 with Retry-After when the gateway cannot take more now. On a virtual
     * thread, so a flood of submissions waiting for their slot never queues the reads behind it
     * on the worker pool. With {@code Prefer: wait} or {@code wait=N} (1–60 s) the answer is held
     * until the run ends: a new run that ended in time is answered 201 with the run as
     * {@code GET /v1/runs/{id}} gives it, its envelope; else (and for an idempotent replay, whose
     * 200 stays a {@link RunAccepted} with the status after the wait) the usual answer. Both say
     * {@code Preference-Applied: wait=N}; past {@code max-waiting-submits} held at once the usual
     * answer comes at once, without it.
     */
    @POST
    @RunOnVirtualThread
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "202", description = "queued",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunAccepted.class)))
    @APIResponse(responseCode = "201", description = "Prefer: wait, and the run ended within it: the run with its envelope "
            + "(as GET /v1/runs/{id}); Preference-Applied says the wait",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunDetail.class)))
    @APIResponse(responseCode = "200", description = "the run this idempotency key already started (with Prefer: wait, "
            + "its status after the wait)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunAccepted.class)))
    @APIResponse(responseCode = "400", description = "ERR_BAD_REQUEST: among others, a Prefer: wait that is not 1 to 60 seconds")
    @APIResponse(responseCode = "429", description = "ERR_RATE_LIMITED: too many runs waiting or submissions at once; see Retry-After")
    public Response submit(RunRequest body, @HeaderParam(RunRequest.IDEMPOTENCY_HEADER) String idempotencyKey,
                           @HeaderParam(WaitPreference.HEADER) List<String> prefer) {
        var wait = WaitPreference.parse(prefer); // a malformed wait is refused before anything is done
        RunRequest request = body == null ? null : body.withHeaderKey(idempotencyKey);
        admission.require(request, caller.owner(), caller.scopes());
        String owner = caller.owner();
        var submission = load.submitting(() -> submissions.submit(request, owner));
        RunAccepted run = submission.run();
        var held = wait.map(w -> waits.hold(run.executionId(), owner, w)).orElse(null);
        Response.ResponseBuilder answer;
        if (held != null && held.ended().isPresent()) {
            RunDetail ended = held.ended().get();
            answer = submission.created() ? Response.status(201).entity(ended) : Response.ok(run.withStatus(ended.status()));
        } else {
            // after a wait that ran out, where the run stands now (running, or still queued)
            var now = held == null ? run : held.now().map(run::withStatus).orElse(run);
            answer = Response.status(submission.created() ? 202 : 200).entity(now);
        }
        if (held != null && held.applied()) {
            answer.header(WaitPreference.APPLIED_HEADER, wait.get().applied());
        }
        return answer.location(URI.create(run.runUrl())).build();
    }

    /** The run: its summary, and once it has ended every field of its envelope beside it. */
    @GET
    @Path("/{id}")
    public RunDetail get(@PathParam("id") String id) {
        return store.find(id, caller.owner()).orElseThrow(() -> new HangarException(ErrorCode.ERR_RUN_NOT_FOUND, "no run " + id));
    }

    /** Newest first. */
    @GET
    public List<RunSummary> list(@QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 1000) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "limit must be between 1 and 1000");
        }
        return store.list(caller.owner(), limit);
    }

    /** Stops the run wherever it is; its envelope will say {@code canceled}. */
    @POST
    @Path("/{id}/cancel")
    @ResponseStatus(202)
    @APIResponse(responseCode = "202", description = "the cancel is on the bus",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunControl.Accepted.class)))
    public RunControl.Accepted cancel(@PathParam("id") String id) {
        return control.cancel(id, caller.owner());
    }
}
