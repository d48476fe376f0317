package dev.hangar.registry.api;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.LocalBuild;
import dev.hangar.registry.store.BuildStore;
import jakarta.ws.rs.POST;
import dev.hangar.kit.config.Blocking;
import dev.hangar.contracts.DigestPin;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.registry.service.ProcessorService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import dev.hangar.contracts.Catalogue;
import dev.hangar.contracts.InternalAuth;
import dev.hangar.registry.store.NamespaceStore;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.QueryParam;
import java.util.List;

/**
 * Processor specs and digest pins. These methods return plain values, so quarkus-rest runs them
 * on a worker thread: the JDBC and OCI registry calls behind them never block the event loop
 * ({@code Blocking.require} checks it).
 */
@Path("/v1/processors")
@Produces(MediaType.APPLICATION_JSON)
public class ProcessorResource {

    private final ProcessorService service;
    private final BuildStore builds;
    private final NamespaceStore namespaces;

    public ProcessorResource(ProcessorService service, BuildStore builds, NamespaceStore namespaces) {
        this.service = service;
        this.builds = builds;
        this.namespaces = namespaces;
    }

    @GET
    public List<ProcessorSpec> list() {
        return service.list();
    }

    @GET
    @Path("/{ns}/{name}/versions/{version}")
    public ProcessorSpec get(@PathParam("ns") String ns, @PathParam("name") String name,
                             @PathParam("version") String version) {
        return service.get(ref(ns, name, version));
    }

    @PUT
    @Path("/{ns}/{name}/versions/{version}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response register(@PathParam("ns") String ns, @PathParam("name") String name,
                             @PathParam("version") String version, @HeaderParam(InternalAuth.OWNER_HEADER) String owner,
                             @QueryParam(Catalogue.OVERRIDE_PARAM) boolean override, ProcessorSpec spec) {
        var saved = service.register(ref(ns, name, version), spec, owner, override);
        return Response.status(saved.created() ? Response.Status.CREATED : Response.Status.OK)
                .entity(saved.spec()).build();
    }

    @PUT
    @Path("/{ns}/{name}/versions/{version}/digests/{platform}")
    @Consumes(MediaType.APPLICATION_JSON)
    public ProcessorSpec pin(@PathParam("ns") String ns, @PathParam("name") String name,
                             @PathParam("version") String version, @PathParam("platform") String platform,
                             @HeaderParam(InternalAuth.OWNER_HEADER) String owner,
                             @QueryParam(Catalogue.OVERRIDE_PARAM) boolean override, DigestPin pin) {
        return service.pin(ref(ns, name, version), platform, pin, owner, override);
    }

    /** Every deliberate repin of a version: who, when, from which digest to which. */
    @GET
    @Path("/{ns}/{name}/versions/{version}/overrides")
    public List<Catalogue.PinOverride> overrides(@PathParam("ns") String ns, @PathParam("name") String name,
                                                 @PathParam("version") String version) {
        var ref = ref(ns, name, version);
        service.get(ref);
        return namespaces.overrides(ref);
    }

    /** Records an image built locally by `hangar build` (the version must be registered). */
    @POST
    @Path("/{ns}/{name}/versions/{version}/builds")
    @Consumes(MediaType.APPLICATION_JSON)
    public LocalBuild recordBuild(@PathParam("ns") String ns, @PathParam("name") String name,
                                  @PathParam("version") String version, @HeaderParam(InternalAuth.OWNER_HEADER) String owner,
                                  LocalBuild build) {
        var ref = ref(ns, name, version);
        if (build == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "send {\"tag\": ..., \"image_id\": ...}");
        }
        service.get(ref);
        service.requireWriter(ref, owner);
        return builds.record(ref, build.requireWellFormed());
    }

    /** The newest local build; 404 ERR_IMAGE_UNPINNED when there is none. */
    @GET
    @Path("/{ns}/{name}/versions/{version}/builds/latest")
    public LocalBuild latestBuild(@PathParam("ns") String ns, @PathParam("name") String name,
                                  @PathParam("version") String version) {
        var ref = ref(ns, name, version);
        return builds.newest(ref).orElseThrow(() -> new HangarException(ErrorCode.ERR_IMAGE_UNPINNED,
                ref + " has no local build; run `hangar build` in its folder first"));
    }

    /** The path's parts as a ref; anything malformed is ERR_REF_INVALID. */
    private static ProcessorRef ref(String ns, String name, String version) {
        return ProcessorRef.parse(ns + "/" + name + "@" + version);
    }
}
