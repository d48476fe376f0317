package dev.hangar.gateway.client;

import dev.hangar.kit.client.ProblemExceptionMapper;
import dev.hangar.contracts.DigestPin;
import dev.hangar.contracts.LocalBuild;
import dev.hangar.contracts.ProcessorSpec;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The registry service: specs and digest pins. */
@RegisterRestClient(configKey = "registry")
@RegisterProvider(ProblemExceptionMapper.class)
@Path("/v1/processors")
public interface RegistryClient {

    @GET
    List<ProcessorSpec> list();

    @GET
    @Path("/{ns}/{name}/versions/{version}")
    ProcessorSpec get(@PathParam("ns") String ns, @PathParam("name") String name, @PathParam("version") int version);

    @PUT
    @Path("/{ns}/{name}/versions/{version}")
    Response put(@PathParam("ns") String ns, @PathParam("name") String name, @PathParam("version") int version,
                 ProcessorSpec spec);

    @POST
    @Path("/{ns}/{name}/versions/{version}/builds")
    LocalBuild recordBuild(@PathParam("ns") String ns, @PathParam("name") String name, @PathParam("version") int version,
                           LocalBuild build);

    @GET
    @Path("/{ns}/{name}/versions/{version}/builds/latest")
    LocalBuild latestBuild(@PathParam("ns") String ns, @PathParam("name") String name, @PathParam("version") int version);

    @PUT
    @Path("/{ns}/{name}/versions/{version}/digests/{platform}")
    ProcessorSpec pin(@PathParam("ns") String ns, @PathParam("name") String name, @PathParam("version") int version,
                      @PathParam("platform") String platform, DigestPin pin);
}
