package dev.hangar.gateway.auth;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Problem;
import dev.hangar.contracts.Session;
import dev.hangar.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import dev.hangar.contracts.ApiToken;
import java.util.Optional;
import java.util.Set;

/**
 * Who a REST request or a WebSocket upgrade acts as — the one rule for both. A bearer token
 * names its owner (API clients, the CLI). Without one, a session cookie does (the web console),
 * but only for a request from the gateway's own origin, so no other site can use a browser's
 * session. Never blocks: tokens are mirrored in memory and sessions are signed, not stored.
 */
@ApplicationScoped
public class Authenticator {
    public static final String LOCAL = "local";
    /** The one answer to a request or socket that is not authenticated. */
    public static final Problem UNAUTHORIZED = Problem.of(ErrorCode.ERR_UNAUTHORIZED, "send `Authorization: Bearer <token>` "
            + "with a valid API token (bin/hangar uses the local stack's; elsewhere set HANGAR_TOKEN), or log in to the "
            + "console at /console/", null, List.of());
    /** A token without the scope a request needs. */
    public static Problem missingScope(ApiToken.Scope scope, String what) {
        return Problem.of(ErrorCode.ERR_SCOPE_MISSING, what + " needs a token with the '" + scope.wire() + "' scope; create one "
                + "with `hangar tokens create NAME --scope " + scope.wire() + "` (as an owner that has it)", null, List.of());
    }

    /** A session cookie on a request from another origin. */
    public static final Problem CROSS_ORIGIN = Problem.of(ErrorCode.ERR_UNAUTHORIZED, "a console session only works from "
            + "the gateway's own origin; this request comes from another (or, changing state, names none); API clients "
            + "send a bearer token",
            null, List.of());

    private final TokenStore tokens;
    private final SessionCookies sessions;
    private final GatewayConfig config;

    public Authenticator(TokenStore tokens, SessionCookies sessions, GatewayConfig config) {
        this.tokens = tokens;
        this.sessions = sessions;
        this.config = config;
    }

    /**
     * What a request carries: its headers ({@code secFetchSite} is {@code Sec-Fetch-Site}), whether
     * it came over https/wss, and whether it may change state ({@code unsafe}: not GET/HEAD, or a
     * WebSocket upgrade, which browsers always send with an Origin).
     */
    public record Credentials(String authorization, String cookie, String origin, String secFetchSite, String host,
                              boolean tls, boolean unsafe) {}

    /** The owner, or the problem to answer with. */
    public sealed interface Outcome permits Owner, Refused {}

    /**
     * {@code sessionExpiresAt} when a console session (not a token) authenticated the request; {@code scopes}
     * are the token's (a session has those of the token it was made from).
     */
    public record Owner(String owner, java.time.Instant sessionExpiresAt, Set<ApiToken.Scope> scopes) implements Outcome {
        Owner(TokenStore.Entry token) {
            this(token.owner(), null, token.scopes());
        }

        /** Whether this caller may do what needs {@code scope}. */
        public boolean has(ApiToken.Scope scope) {
            return scopes.contains(scope);
        }
    }

    public record Refused(Problem problem) implements Outcome {}

    public Outcome authenticate(Credentials c) {
        if (!config.authEnabled()) {
            return new Owner(LOCAL, null, Set.of(ApiToken.Scope.values()));
        }
        if (c.authorization() != null) {
            if (!c.authorization().regionMatches(true, 0, "Bearer ", 0, 7)) {
                return new Refused(UNAUTHORIZED);
            }
            return tokens.entry(c.authorization().substring(7).strip()).<Outcome>map(Owner::new)
                    .orElse(new Refused(UNAUTHORIZED));
        }
        Optional<SessionCookies.Verified> session = SessionCookies.fromHeader(c.cookie()).flatMap(sessions::verifyWithScopes);
        if (session.isEmpty()) {
            return new Refused(UNAUTHORIZED);
        }
        var info = session.get().info();
        return fromOwnOrigin(c) ? new Owner(info.owner(), info.expiresAt(), session.get().scopes()) : new Refused(CROSS_ORIGIN);
    }

    /**
     * Browsers send {@code Origin} on every cross-origin request, on every POST/PUT/DELETE and on
     * WebSocket upgrades, but not on a same-origin GET: so an Origin must be the gateway's own, and
     * only a GET or HEAD may come without one — and then not from another site by its
     * {@code Sec-Fetch-Site} (an image or link on a page of another port or host).
     */
    private boolean fromOwnOrigin(Credentials c) {
        if (c.origin() != null) {
            return sessions.sameOrigin(c.origin(), c.host(), c.tls());
        }
        return !c.unsafe() && (c.secFetchSite() == null || c.secFetchSite().equals("same-origin") || c.secFetchSite().equals("none"));
    }
}
