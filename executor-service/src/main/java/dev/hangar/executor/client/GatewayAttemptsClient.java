package dev.hangar.executor.client;

import dev.hangar.contracts.AttemptClaim;
import dev.hangar.kit.client.ProblemExceptionMapper;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The gateway's attempt counter: an executor claims the next attempt of a run before it starts it. */
@RegisterRestClient(configKey = "gateway")
@RegisterProvider(ProblemExceptionMapper.class)
@Path("/internal/v1/runs/{execution_id}/attempts")
public interface GatewayAttemptsClient {

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    AttemptClaim claim(@HeaderParam("X-Hangar-Internal-Token") String token, @PathParam("execution_id") String executionId,
                       AttemptClaim.Request request);

    @PUT
    @Path("/{attempt}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    AttemptClaim renew(@HeaderParam("X-Hangar-Internal-Token") String token, @PathParam("execution_id") String executionId,
                       @PathParam("attempt") int attempt, AttemptClaim.Request request);

    @POST
    @Path("/{attempt}/end")
    @Consumes(MediaType.APPLICATION_JSON)
    void end(@HeaderParam("X-Hangar-Internal-Token") String token, @PathParam("execution_id") String executionId,
             @PathParam("attempt") int attempt, AttemptClaim.Ended ended);
}
