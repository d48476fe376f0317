package dev.hangar.gateway.api;

import dev.hangar.contracts.DigestPin;
import dev.hangar.contracts.LocalBuild;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.gateway.client.ProcessorSpecs;
import dev.hangar.gateway.client.RegistryClient;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import dev.hangar.contracts.Catalogue;
import dev.hangar.gateway.auth.Caller;
import jakarta.ws.rs.QueryParam;
import java.util.List;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * The public face of the registry: clients talk to the gateway only, and every change goes to the
 * registry in the caller's name, so only an owner of a namespace changes it ({@code ?override=true}
 * to repin a pinned version on purpose). A change is forgotten by this replica's spec cache
 * whatever the registry answered, so the next run here reads it afresh.
 */
@Path("/v1/processors")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ProcessorResource {
    private final RegistryClient registry;
    private final Caller caller;
    private final ProcessorSpecs specs;

    public ProcessorResource(@RestClient RegistryClient registry, Caller caller, ProcessorSpecs specs) {
        this.registry = registry;
        this.caller = caller;
        this.specs = specs;
    }

    @GET
    public List<ProcessorSpec> list() {
        return registry.list();
    }

    @GET
    @Path("/{ns}/{name}/versions/{version}")
    public ProcessorSpec get(@PathParam("ns") String ns, @PathParam("name") String name, @PathParam("version") int version) {
        var ref = new ProcessorRef(ns, name, version);
        return registry.get(ref.namespace(), ref.name(), ref.version());
    }

    @PUT
    @Path("/{ns}/{name}/versions/{version}")
    public Response put(@PathParam("ns") String ns, @PathParam("name") String name, @PathParam("version") int version,
                        @QueryParam(Catalogue.OVERRIDE_PARAM) boolean override, ProcessorSpec spec) {
        var ref = new ProcessorRef(ns, name, version);
        try (Response answer = registry.put(ref.namespace(), ref.name(), ref.version(), caller.owner(), override, spec)) {
            return Response.status(answer.getStatus()).entity(answer.readEntity(ProcessorSpec.class)).build();
        } finally {
            specs.changed(ref);
        }
    }

    @POST
    @Path("/{ns}/{name}/versions/{version}/builds")
    public LocalBuild recordBuild(@PathParam("ns") String ns, @PathParam("name") String name,
                                  @PathParam("version") int version, LocalBuild build) {
        var ref = new ProcessorRef(ns, name, version);
        return registry.recordBuild(ref.namespace(), ref.name(), ref.version(), caller.owner(), build);
    }

    @GET
    @Path("/{ns}/{name}/versions/{version}/builds/latest")
    public LocalBuild latestBuild(@PathParam("ns") String ns, @PathParam("name") String name, @PathParam("version") int version) {
        var ref = new ProcessorRef(ns, name, version);
        return registry.latestBuild(ref.namespace(), ref.name(), ref.version());
    }

    @PUT
    @Path("/{ns}/{name}/versions/{version}/digests/{platform}")
    public ProcessorSpec pin(@PathParam("ns") String ns, @PathParam("name") String name, @PathParam("version") int version,
                             @PathParam("platform") String platform, @QueryParam(Catalogue.OVERRIDE_PARAM) boolean override,
                             DigestPin pin) {
        var ref = new ProcessorRef(ns, name, version);
        try {
            return registry.pin(ref.namespace(), ref.name(), ref.version(), platform, caller.owner(), override, pin);
        } finally {
            specs.changed(ref);
        }
    }

    /** Every deliberate repin of the version by an owner of its namespace: who, when, from which digest to which. */
    @GET
    @Path("/{ns}/{name}/versions/{version}/overrides")
    public List<Catalogue.PinOverride> overrides(@PathParam("ns") String ns, @PathParam("name") String name,
                                                 @PathParam("version") int version) {
        var ref = new ProcessorRef(ns, name, version);
        return registry.overrides(ref.namespace(), ref.name(), ref.version());
    }
}
