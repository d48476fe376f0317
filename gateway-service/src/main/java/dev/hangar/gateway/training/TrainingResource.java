package dev.hangar.gateway.training;

import dev.hangar.contracts.Training;
import dev.hangar.gateway.auth.Caller;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * Training sessions on Hangar's own API (docs/training-sessions.md): create, look up, heartbeat,
 * close, call ({@code forward}, {@code forward_backward}, {@code optim_step}, {@code save_weights},
 * {@code save_weights_for_sampler}, {@code load_weights}) and retrieve a call's future. Blocking
 * (JDBC, Kafka acks): worker threads.
 */
@Path("/v1/training")
@Produces(MediaType.APPLICATION_JSON)
public class TrainingResource {
    private final TrainingService training;
    private final Caller caller;

    public TrainingResource(TrainingService training, Caller caller) {
        this.training = training;
        this.caller = caller;
    }

    /** Creates a session (Tinker's create_model); its {@code created} future completes once the model is loaded. */
    @POST
    @Path("/sessions")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(Training.CreateSession request) {
        var info = training.create(caller.owner(), request, null);
        return Response.status(201).entity(info).location(URI.create("/v1/training/sessions/" + info.sessionId())).build();
    }

    @GET
    @Path("/sessions/{id}")
    public Training.SessionInfo get(@PathParam("id") String id) {
        return training.get(caller.owner(), id);
    }

    /** Keeps the session alive: one without a heartbeat or a call for heartbeat_timeout_seconds expires. */
    @POST
    @Path("/sessions/{id}/heartbeat")
    public Training.SessionInfo heartbeat(@PathParam("id") String id) {
        return training.heartbeat(caller.owner(), id);
    }

    /** Closes the session: its model state is dropped and its container freed. */
    @POST
    @Path("/sessions/{id}/close")
    public Training.SessionInfo close(@PathParam("id") String id) {
        return training.close(caller.owner(), id);
    }

    /** A call on the session; 202 with its future (a run: poll it below, or stream it on stream_url). */
    @POST
    @Path("/sessions/{id}/calls/{op}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response call(@PathParam("id") String id, @PathParam("op") String op, Training.Call call) {
        var future = training.call(caller.owner(), id, Training.Op.fromWire(op), call);
        return Response.accepted(future).build();
    }

    @GET
    @Path("/futures/{id}")
    public Training.FutureResult future(@PathParam("id") String id) {
        return training.future(caller.owner(), id);
    }
}
