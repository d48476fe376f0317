package dev.hangar.registry.api;

import dev.hangar.contracts.Catalogue;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.InternalAuth;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.registry.store.NamespaceStore;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * Namespace owners. Grants and revocations are admin acts: the gateway lets only admin tokens
 * through and names the admin in {@code X-Hangar-Owner}, recorded as {@code granted_by}.
 */
@Path("/v1/namespaces/{ns}/owners")
@Produces(MediaType.APPLICATION_JSON)
public class NamespaceResource {
    private final NamespaceStore namespaces;

    public NamespaceResource(NamespaceStore namespaces) {
        this.namespaces = namespaces;
    }

    @GET
    public List<Catalogue.NamespaceOwner> owners(@PathParam("ns") String ns) {
        return namespaces.owners(namespace(ns));
    }

    @PUT
    @Path("/{owner}")
    public Catalogue.NamespaceOwner grant(@PathParam("ns") String ns, @PathParam("owner") String owner,
                                          @HeaderParam(InternalAuth.OWNER_HEADER) String admin) {
        if (admin == null || admin.isBlank()) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "a grant must name the admin in " + InternalAuth.OWNER_HEADER);
        }
        return namespaces.grant(namespace(ns), owner, admin);
    }

    @DELETE
    @Path("/{owner}")
    public void revoke(@PathParam("ns") String ns, @PathParam("owner") String owner) {
        if (!namespaces.revoke(namespace(ns), owner)) {
            throw new HangarException(ErrorCode.ERR_NAMESPACE_FORBIDDEN, owner + " is not an owner of namespace '" + ns + "'");
        }
    }

    /** A namespace is what a ref's first part may be; ERR_REF_INVALID otherwise. */
    private static String namespace(String ns) {
        return ProcessorRef.parse(ns + "/x@1").namespace();
    }
}
