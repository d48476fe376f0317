package dev.hangar.gateway.api;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.SecretValue;
import dev.hangar.gateway.auth.Caller;
import dev.hangar.gateway.store.SecretStore;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Secrets: values go in, only names come out. */
@Path("/v1/secrets")
@Produces(MediaType.APPLICATION_JSON)
public class SecretResource {
    private final SecretStore secrets;
    private final Caller caller;

    public SecretResource(SecretStore secrets, Caller caller) {
        this.secrets = secrets;
        this.caller = caller;
    }

    @GET
    public List<String> names() {
        return secrets.names(caller.owner());
    }

    @PUT
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response put(@PathParam("name") String name, SecretValue body) {
        secrets.put(caller.owner(), name, body == null ? null : body.value());
        return Response.noContent().build();
    }

    @DELETE
    @Path("/{name}")
    public Response delete(@PathParam("name") String name) {
        if (!secrets.delete(caller.owner(), name)) {
            throw new HangarException(ErrorCode.ERR_SECRET_NOT_FOUND, "there is no secret " + name);
        }
        return Response.noContent().build();
    }
}
