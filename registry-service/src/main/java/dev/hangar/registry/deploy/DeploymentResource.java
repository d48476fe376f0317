package dev.hangar.registry.deploy;

import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.InternalAuth;
import dev.hangar.contracts.ProcessorRef;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;

/**
 * Deployments, called by the gateway with the internal token on behalf of the owner it names.
 * Plain return values: quarkus-rest runs these on a worker thread (JDBC, OCI registry).
 */
@Path("/v1/deployments")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class DeploymentResource {
    private final DeploymentService service;

    public DeploymentResource(DeploymentService service) {
        this.service = service;
    }

    @POST
    public Deploy.Deployment deploy(@HeaderParam(InternalAuth.OWNER_HEADER) String owner, Deploy.Request request) {
        return service.deploy(request, owner);
    }

    @GET
    public List<Deploy.Deployment> list(@HeaderParam(InternalAuth.OWNER_HEADER) String owner, @QueryParam("ref") String ref,
                                        @QueryParam("env") String env) {
        return service.list(ProcessorRef.parse(ref), env, owner);
    }

    @GET
    @Path("/{env}/{name}")
    public Deploy.Deployment get(@HeaderParam(InternalAuth.OWNER_HEADER) String owner, @PathParam("env") String env,
                                 @PathParam("name") String name) {
        return service.get(env, name, owner);
    }

    @POST
    @Path("/{env}/{name}/verify")
    public Deploy.VerifyReport verify(@HeaderParam(InternalAuth.OWNER_HEADER) String owner, @PathParam("env") String env,
                                      @PathParam("name") String name, Deploy.VerifyRequest request) {
        return service.verify(env, name, request == null ? null : request.oci(), owner);
    }

    @GET
    @Path("/{env}/{name}/events")
    public List<Deploy.Event> events(@HeaderParam(InternalAuth.OWNER_HEADER) String owner, @PathParam("env") String env,
                                     @PathParam("name") String name, @QueryParam("since") Instant since,
                                     @QueryParam("limit") Integer limit) {
        return service.events(env, name, owner, since, limit);
    }

    /** An executor's report from {@code hangar.deploy.events}, relayed by the gateway. */
    @POST
    @Path("/events")
    public void record(Deploy.Event event) {
        service.record(event);
    }
}
