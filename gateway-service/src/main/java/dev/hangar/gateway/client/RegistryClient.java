package dev.hangar.gateway.client;

import dev.hangar.contracts.Catalogue;
import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.DigestPin;
import dev.hangar.contracts.InternalAuth;
import dev.hangar.contracts.LocalBuild;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.kit.client.ProblemExceptionMapper;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The registry service: specs, digest pins and namespace owners. Every call carries the internal
 * token; every change names the tenant it is made for ({@code X-Hangar-Owner}), which the registry
 * trusts because only a holder of the token can send it.
 */
@ClientHeaderParam(name = InternalAuth.TOKEN_HEADER, value = "${hangar.gateway.internal-token}")
@RegisterRestClient(configKey = "registry")
@RegisterProvider(ProblemExceptionMapper.class)
@Path("/v1")
public interface RegistryClient {
    /** How an error from a call names this service ({@code Remote.call}). */
    String NAME = "the registry service";

    @GET
    @Path("/processors")
    List<ProcessorSpec> list();

    @GET
    @Path("/processors/{ns}/{name}/versions/{version}")
    ProcessorSpec get(@PathParam("ns") String ns, @PathParam("name") String name, @PathParam("version") int version);

    @PUT
    @Path("/processors/{ns}/{name}/versions/{version}")
    Response put(@PathParam("ns") String ns, @PathParam("name") String name, @PathParam("version") int version,
                 @HeaderParam(InternalAuth.OWNER_HEADER) String owner, @QueryParam(Catalogue.OVERRIDE_PARAM) boolean override,
                 ProcessorSpec spec);

    @POST
    @Path("/processors/{ns}/{name}/versions/{version}/builds")
    LocalBuild recordBuild(@PathParam("ns") String ns, @PathParam("name") String name, @PathParam("version") int version,
                           @HeaderParam(InternalAuth.OWNER_HEADER) String owner, LocalBuild build);

    @GET
    @Path("/processors/{ns}/{name}/versions/{version}/builds/latest")
    LocalBuild latestBuild(@PathParam("ns") String ns, @PathParam("name") String name, @PathParam("version") int version);

    @PUT
    @Path("/processors/{ns}/{name}/versions/{version}/digests/{platform}")
    ProcessorSpec pin(@PathParam("ns") String ns, @PathParam("name") String name, @PathParam("version") int version,
                      @PathParam("platform") String platform, @HeaderParam(InternalAuth.OWNER_HEADER) String owner,
                      @QueryParam(Catalogue.OVERRIDE_PARAM) boolean override, DigestPin pin);

    @GET
    @Path("/processors/{ns}/{name}/versions/{version}/overrides")
    List<Catalogue.PinOverride> overrides(@PathParam("ns") String ns, @PathParam("name") String name, @PathParam("version") int version);

    @GET
    @Path("/namespaces/{ns}/owners")
    List<Catalogue.NamespaceOwner> owners(@PathParam("ns") String ns);

    @PUT
    @Path("/namespaces/{ns}/owners/{owner}")
    Catalogue.NamespaceOwner grant(@PathParam("ns") String ns, @PathParam("owner") String owner,
                                   @HeaderParam(InternalAuth.OWNER_HEADER) String admin);

    @DELETE
    @Path("/namespaces/{ns}/owners/{owner}")
    void revoke(@PathParam("ns") String ns, @PathParam("owner") String owner);

    @POST
    @Path("/deployments")
    Deploy.Deployment deploy(@HeaderParam(InternalAuth.OWNER_HEADER) String owner, Deploy.Request request);

    @GET
    @Path("/deployments")
    List<Deploy.Deployment> deployments(@HeaderParam(InternalAuth.OWNER_HEADER) String owner, @QueryParam("ref") String ref,
                                        @QueryParam("env") String env);

    @GET
    @Path("/deployments/{env}/{name}")
    Deploy.Deployment deployment(@HeaderParam(InternalAuth.OWNER_HEADER) String owner, @PathParam("env") String env,
                                 @PathParam("name") String name);

    @POST
    @Path("/deployments/{env}/{name}/verify")
    Deploy.VerifyReport verify(@HeaderParam(InternalAuth.OWNER_HEADER) String owner, @PathParam("env") String env,
                               @PathParam("name") String name, Deploy.VerifyRequest request);

    @GET
    @Path("/deployments/{env}/{name}/events")
    List<Deploy.Event> deployEvents(@HeaderParam(InternalAuth.OWNER_HEADER) String owner, @PathParam("env") String env,
                                    @PathParam("name") String name, @QueryParam("since") String since, @QueryParam("limit") Integer limit);

    @POST
    @Path("/deployments/events")
    void recordDeployEvent(Deploy.Event event);
}
