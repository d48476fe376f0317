package dev.hangar.executor.client;

import dev.hangar.kit.client.ProblemExceptionMapper;
import dev.hangar.contracts.LocalBuild;
import dev.hangar.contracts.ProcessorSpec;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import dev.hangar.contracts.InternalAuth;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The registry service, for runs that arrive on the bus without a resolved image. */
@ClientHeaderParam(name = InternalAuth.TOKEN_HEADER, value = "${hangar.executor.internal-token}")
@RegisterRestClient(configKey = "registry")
@RegisterProvider(ProblemExceptionMapper.class)
@Path("/v1/processors")
public interface RegistryClient {

    @GET
    @Path("/{ns}/{name}/versions/{version}")
    ProcessorSpec get(@PathParam("ns") String ns, @PathParam("name") String name, @PathParam("version") int version);

    @GET
    @Path("/{ns}/{name}/versions/{version}/builds/latest")
    LocalBuild latestBuild(@PathParam("ns") String ns, @PathParam("name") String name, @PathParam("version") int version);
}
