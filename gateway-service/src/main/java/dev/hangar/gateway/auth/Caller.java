package dev.hangar.gateway.auth;

import jakarta.enterprise.context.RequestScoped;

/** Who the current request acts as; set by {@link AuthFilter}. */
@RequestScoped
public class Caller {
    private String owner;
    private java.time.Instant sessionExpiresAt;

    public String owner() {
        return owner;
    }

    /** When the caller's console session ends; null for a bearer token. */
    public java.time.Instant sessionExpiresAt() {
        return sessionExpiresAt;
    }

    void set(Authenticator.Owner who) {
        this.owner = who.owner();
        this.sessionExpiresAt = who.sessionExpiresAt();
    }
}
