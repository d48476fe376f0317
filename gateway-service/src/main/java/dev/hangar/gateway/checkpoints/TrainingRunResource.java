package dev.hangar.gateway.checkpoints;

import dev.hangar.contracts.TrainingRun;
import dev.hangar.gateway.auth.Caller;
import io.smallrye.common.annotation.RunOnVirtualThread;
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

/** Training runs: start one (a run of the base model's trainer), look one up, list them. */
@Path("/v1/training-runs")
@Produces(MediaType.APPLICATION_JSON)
public class TrainingRunResource {
    private final TrainingRunService runs;
    private final Caller caller;

    public TrainingRunResource(TrainingRunService runs, Caller caller) {
        this.runs = runs;
        this.caller = caller;
    }

    /** 202 with the run and its stream URL; on a virtual thread like {@code POST /v1/runs}. */
    @POST
    @RunOnVirtualThread
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(TrainingRun.Create request) {
        return Response.status(202).entity(runs.create(request, caller.owner())).build();
    }

    @GET
    @Path("/{id}")
    public TrainingRun get(@PathParam("id") String id) {
        return runs.get(id, caller.owner());
    }

    /** Newest first. */
    @GET
    public java.util.List<TrainingRun> list(@QueryParam("limit") @DefaultValue("50") int limit) {
        return runs.list(caller.owner(), limit);
    }
}
