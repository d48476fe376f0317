package dev.hangar.gateway.deploy;

import dev.hangar.contracts.Deploy;
import dev.hangar.gateway.auth.Caller;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;

/**
 * {@code /v1/deployments}: deploy a ref to an environment by digest, verify, status, logs and
 * the environment's secrets (docs/deploy.md). Only owners of the ref's namespace (the registry
 * decides: 403 ERR_NAMESPACE_FORBIDDEN); plain values, so quarkus-rest runs these on a worker.
 */
@Path("/v1/deployments")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class DeploymentResource {
    private final DeploymentService service;
    private final Caller caller;

    public DeploymentResource(DeploymentService service, Caller caller) {
        this.service = service;
        this.caller = caller;
    }

    /** 202: recorded and sent to the executors; its status follows their events. */
    @POST
    public Response deploy(Deploy.Request request) {
        return Response.accepted(service.deploy(request, caller.owner())).build();
    }

    @GET
    @Path("/status")
    public Deploy.Deployment status(@QueryParam("ref") String ref, @QueryParam("env") String env, @QueryParam("branch") String branch) {
        return service.locate(ref, env, branch, caller.owner());
    }

    /** 200 with the report either way: {@code match} says whether the given image is the deployed one. */
    @POST
    @Path("/verify")
    public Deploy.VerifyReport verify(Deploy.VerifyRequest request) {
        return service.verify(request, caller.owner());
    }

    @GET
    @Path("/logs")
    public Deploy.Logs logs(@QueryParam("ref") String ref, @QueryParam("env") String env, @QueryParam("branch") String branch,
                            @QueryParam("since") Instant since, @QueryParam("limit") Integer limit) {
        return service.logs(ref, env, branch, since, limit, caller.owner());
    }

    @POST
    @Path("/secrets")
    public Deploy.SecretReport syncSecrets(Deploy.SecretSync sync) {
        return service.syncSecrets(sync, caller.owner());
    }
}
