package dev.hangar.gateway.api;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Session;
import dev.hangar.gateway.auth.Caller;
import dev.hangar.gateway.auth.SessionCookies;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Console sessions: a browser trades an API token once for a session cookie (HttpOnly,
 * SameSite=Strict), because a browser's WebSocket cannot send an Authorization header.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {
    private final SessionCookies sessions;
    private final Caller caller;

    public SessionResource(SessionCookies sessions, Caller caller) {
        this.sessions = sessions;
        this.caller = caller;
    }

    /** Logs in: 200 with who the session acts as, and the cookie; 401 for an unknown token. */
    @POST
    @Path("/sessions")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response login(Session.Login login) {
        if (login == null || login.token() == null || login.token().isBlank()) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "send {\"token\": \"<your API token>\"}");
        }
        var minted = sessions.mint(login.token().strip())
                .orElseThrow(() -> new HangarException(ErrorCode.ERR_UNAUTHORIZED, "that API token is not valid"));
        return Response.ok(minted.info()).header(HttpHeaders.SET_COOKIE, minted.setCookie()).build();
    }

    /** Who the caller is; {@code expires_at} only for a cookie session (the filter has verified it). */
    @GET
    @Path("/session")
    public Session.Info whoAmI() {
        return new Session.Info(caller.owner(), caller.sessionExpiresAt());
    }

    /** Logs out: the browser drops the cookie. */
    @DELETE
    @Path("/sessions")
    public Response logout() {
        return Response.noContent().header(HttpHeaders.SET_COOKIE, sessions.cleared()).build();
    }
}
