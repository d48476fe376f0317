package dev.hangar.gateway.auth;

import dev.hangar.contracts.ApiToken;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Problem;
import jakarta.enterprise.context.RequestScoped;
import java.util.Set;

/** Who the current request acts as, and with which scopes; set by {@link AuthFilter}. */
@RequestScoped
public class Caller {
    private String owner;
    private java.time.Instant sessionExpiresAt;
    private Set<ApiToken.Scope> scopes = Set.of();

    public String owner() {
        return owner;
    }

    /** When the caller's console session ends; null for a bearer token. */
    public java.time.Instant sessionExpiresAt() {
        return sessionExpiresAt;
    }

    public Set<ApiToken.Scope> scopes() {
        return scopes;
    }

    public boolean has(ApiToken.Scope scope) {
        return scopes.contains(scope);
    }

    /** 403 ERR_SCOPE_MISSING unless the caller's token has {@code scope}; {@code what} names the act. */
    public void require(ApiToken.Scope scope, String what) {
        if (!has(scope)) {
            Problem p = Authenticator.missingScope(scope, what);
            throw new HangarException(p.code(), p.detail());
        }
    }

    void set(Authenticator.Owner who) {
        this.owner = who.owner();
        this.sessionExpiresAt = who.sessionExpiresAt();
        this.scopes = who.scopes();
    }
}
