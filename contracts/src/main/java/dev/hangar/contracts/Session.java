package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/**
 * Browser sessions: a browser's WebSocket cannot send an {@code Authorization} header, so the web
 * console trades an API token once ({@code POST /v1/sessions}) for an HttpOnly, SameSite=Strict
 * session cookie that REST calls and stream upgrades from the gateway's own origin carry instead.
 */
public final class Session {
    /** Name of the session cookie. */
    public static final String COOKIE = "hangar_session";

    private Session() {}

    /** Body of {@code POST /v1/sessions}: the API token to trade; never logged or returned. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Login(String token) {
        @Override
        public String toString() {
            return "Session.Login[**redacted**]";
        }
    }

    /** {@code GET /v1/session} and the answer to a login: who the caller is, and until when a cookie session lasts. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Info(String owner, Instant expiresAt) {}
}
