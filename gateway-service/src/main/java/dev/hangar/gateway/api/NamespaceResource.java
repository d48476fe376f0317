package dev.hangar.gateway.api;

import dev.hangar.contracts.ApiToken;
import dev.hangar.contracts.Catalogue;
import dev.hangar.gateway.auth.Caller;
import dev.hangar.gateway.client.RegistryClient;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** Who owns a processor namespace; granting and revoking are admin acts ({@code admin} scope). */
@Path("/v1/namespaces/{ns}/owners")
@Produces(MediaType.APPLICATION_JSON)
public class NamespaceResource {
    private final RegistryClient registry;
    private final Caller caller;

    public NamespaceResource(@RestClient RegistryClient registry, Caller caller) {
        this.registry = registry;
        this.caller = caller;
    }

    @GET
    public List<Catalogue.NamespaceOwner> owners(@PathParam("ns") String ns) {
        return registry.owners(ns);
    }

    @PUT
    @Path("/{owner}")
    public Catalogue.NamespaceOwner grant(@PathParam("ns") String ns, @PathParam("owner") String owner) {
        caller.require(ApiToken.Scope.ADMIN, "granting a namespace");
        return registry.grant(ns, owner, caller.owner());
    }

    @DELETE
    @Path("/{owner}")
    public void revoke(@PathParam("ns") String ns, @PathParam("owner") String owner) {
        caller.require(ApiToken.Scope.ADMIN, "revoking a namespace owner");
        registry.revoke(ns, owner);
    }
}
