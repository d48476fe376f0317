package dev.hangar.gateway.auth;

import jakarta.enterprise.context.RequestScoped;

/** Who the current request acts as; set by {@link AuthFilter}. */
@RequestScoped
public class Caller {
    private String owner;

    public String owner() {
        return owner;
    }

    void set(String owner) {
        this.owner = owner;
    }
}
