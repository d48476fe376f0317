package dev.hangar.gateway.api;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.RunAccepted;
import dev.hangar.contracts.RunRequest;
import dev.hangar.contracts.RunSummary;
import dev.hangar.gateway.service.RunSubmissionService;
import dev.hangar.gateway.store.RunStore;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;

/** Runs: submit, look up, list. Methods are blocking (JDBC, Kafka acks) and so run on worker threads. */
@Path("/v1/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {
    private final RunSubmissionService submissions;
    private final RunStore store;

    public RunResource(RunSubmissionService submissions, RunStore store) {
        this.submissions = submissions;
        this.store = store;
    }

    /** Checks and queues a run; 202 with where to follow it. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response submit(RunRequest request) {
        RunAccepted accepted = submissions.submit(request);
        return Response.accepted(accepted).location(URI.create(accepted.runUrl())).build();
    }

    /** The envelope once the run has ended; until then its summary (status queued or running). */
    @GET
    @Path("/{id}")
    public Object get(@PathParam("id") String id) {
        return store.find(id).orElseThrow(() -> new HangarException(ErrorCode.ERR_RUN_NOT_FOUND, "no run " + id));
    }

    /** Newest first. */
    @GET
    public List<RunSummary> list(@QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 1000) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "limit must be between 1 and 1000");
        }
        return store.list(limit);
    }
}
