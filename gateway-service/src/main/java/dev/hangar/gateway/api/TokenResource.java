package dev.hangar.gateway.api;

import dev.hangar.contracts.ApiToken;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.RunRequest;
import dev.hangar.gateway.auth.Caller;
import dev.hangar.gateway.auth.TokenStore;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * API tokens, managed by their owners: create one with a name and scopes (never more than the
 * caller's own), list them (never the token or its hash), revoke one by id, effective at once on
 * every replica. An {@code admin} token also sees ({@code ?all=true}) and revokes everyone's, and
 * creates tokens for other owners.
 */
@Path("/v1/tokens")
@Produces(MediaType.APPLICATION_JSON)
public class TokenResource {
    private final TokenStore tokens;
    private final Caller caller;

    public TokenResource(TokenStore tokens, Caller caller) {
        this.tokens = tokens;
        this.caller = caller;
    }

    /**
     * 201 with the token: the one time it is shown. With an {@code Idempotency-Key} header that
     * already made a token for this owner: 200 with that token's id, name and scopes but no
     * secret, so a retry whose first answer was lost never leaves a second token behind (the
     * caller revokes that one and creates another, as the CLI does).
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "201", description = "created; the token is in this answer only",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiToken.Created.class)))
    @APIResponse(responseCode = "200", description = "the token this Idempotency-Key already created, without its secret",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiToken.Created.class)))
    public Response create(ApiToken.Create request, @HeaderParam(RunRequest.IDEMPOTENCY_HEADER) String idempotencyKey) {
        if (request == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "send {\"name\": \"...\", \"scopes\": [\"read\", \"run\"]}");
        }
        request.requireValid();
        String owner = request.owner() == null ? caller.owner() : request.owner();
        if (!owner.equals(caller.owner())) {
            caller.require(ApiToken.Scope.ADMIN, "creating a token for another owner");
        }
        for (ApiToken.Scope scope : request.scopes()) {
            caller.require(scope, "creating a token with the '" + scope.wire() + "' scope");
        }
        String key = RunRequest.requireIdempotencyKey(idempotencyKey == null || idempotencyKey.isBlank() ? null : idempotencyKey);
        var creation = tokens.create(owner, request.name(), request.scopes(), key);
        return Response.status(creation.fresh() ? 201 : 200).entity(creation.created()).build();
    }

    @GET
    public List<ApiToken.Info> list(@QueryParam("all") @DefaultValue("false") boolean all) {
        if (all) {
            caller.require(ApiToken.Scope.ADMIN, "listing every owner's tokens");
        }
        return tokens.list(all ? null : caller.owner());
    }

    /** 204; 404 ERR_TOKEN_NOT_FOUND for an id that is not the caller's (admins: not anyone's). */
    @DELETE
    @Path("/{id}")
    public void revoke(@PathParam("id") String id) {
        if (!tokens.revoke(id, caller.has(ApiToken.Scope.ADMIN) ? null : caller.owner())) {
            throw new HangarException(ErrorCode.ERR_TOKEN_NOT_FOUND, "no token of yours has the id " + id + "; see `hangar tokens list`");
        }
    }
}
