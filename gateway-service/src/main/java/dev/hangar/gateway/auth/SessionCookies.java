package dev.hangar.gateway.auth;

import dev.hangar.contracts.Session;
import dev.hangar.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Browser sessions as signed cookies: {@code owner|expiry|sha256(token)} with an HMAC keyed from
 * the gateway's secrets key. Stateless, so every replica accepts a session another made, and a
 * session dies with its token (the token's hash must still name the owner). The cookie is
 * HttpOnly and SameSite=Strict; requests it authenticates must come from the gateway's own
 * origin ({@link #sameOrigin}), which is what keeps another site from riding on it.
 */
@ApplicationScoped
public class SessionCookies {
    static final Duration TTL = Duration.ofHours(12);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final byte[] key;
    private final String publicOrigin;
    private final boolean secure;
    private final TokenStore tokens;
    private final Clock clock;

    @jakarta.inject.Inject
    public SessionCookies(GatewayConfig config, TokenStore tokens) {
        this(config.secretsKey(), config.publicUrl(), tokens, Clock.systemUTC());
    }

    SessionCookies(String secretsKey, String publicUrl, TokenStore tokens, Clock clock) {
        // a key of its own, derived from the secrets key, so a cookie MAC can never open a sealed secret
        this.key = hmac(secretsKey.getBytes(StandardCharsets.UTF_8), "hangar session cookie v1");
        this.publicOrigin = origin(URI.create(publicUrl));
        this.secure = publicUrl.startsWith("https:");
        this.tokens = tokens;
        this.clock = clock;
    }

    /** A session for the owner of {@code token}, or empty for an unknown token. */
    public Optional<Minted> mint(String token) {
        return tokens.owner(token).map(owner -> {
            Instant expires = clock.instant().plus(TTL).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            String payload = owner + "|" + expires.getEpochSecond() + "|" + TokenStore.sha256(token);
            String value = B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + B64.encodeToString(hmac(key, payload));
            return new Minted(new Session.Info(owner, expires), setCookie(value, TTL.toSeconds()));
        });
    }

    /** A new session and the {@code Set-Cookie} header that carries it. */
    public record Minted(Session.Info info, String setCookie) {}

    /** A verified session and the scopes of the token it was made from. */
    public record Verified(Session.Info info, java.util.Set<dev.hangar.contracts.ApiToken.Scope> scopes) {}

    /** The session a cookie value stands for, if its MAC holds, it has not expired and its token is still valid. */
    public Optional<Session.Info> verify(String value) {
        return verifyWithScopes(value).map(Verified::info);
    }

    /** As {@link #verify}, with the scopes of the session's token (revoking the token ends the session). */
    public Optional<Verified> verifyWithScopes(String value) {
        if (value == null) {
            return Optional.empty();
        }
        int dot = value.indexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        String payload;
        byte[] mac;
        try {
            payload = new String(Base64.getUrlDecoder().decode(value.substring(0, dot)), StandardCharsets.UTF_8);
            mac = Base64.getUrlDecoder().decode(value.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(mac, hmac(key, payload))) {
            return Optional.empty();
        }
        String[] parts = payload.split("\\|", 3);
        if (parts.length != 3) {
            return Optional.empty();
        }
        Instant expires;
        try {
            expires = Instant.ofEpochSecond(Long.parseLong(parts[1]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        var token = tokens.entryOfHash(parts[2]).filter(e -> e.owner().equals(parts[0]));
        if (!clock.instant().isBefore(expires) || token.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Verified(new Session.Info(parts[0], expires), token.get().scopes()));
    }

    /** The value of the session cookie in a {@code Cookie} request header, if any. */
    public static Optional<String> fromHeader(String cookieHeader) {
        if (cookieHeader == null) {
            return Optional.empty();
        }
        for (String pair : cookieHeader.split(";")) {
            String p = pair.strip();
            if (p.startsWith(Session.COOKIE + "=")) {
                return Optional.of(p.substring(Session.COOKIE.length() + 1));
            }
        }
        return Optional.empty();
    }

    /** The {@code Set-Cookie} header that ends the session in the browser. */
    public String cleared() {
        return setCookie("", 0);
    }

    /**
     * Whether a cookie-authenticated request comes from the gateway itself: its {@code Origin} is the
     * public URL's origin or that of the {@code Host} it was sent to. No Origin is refused too:
     * browsers send one on every WebSocket upgrade and on every state-changing fetch.
     */
    public boolean sameOrigin(String origin, String host, boolean tls) {
        if (origin == null) {
            return false;
        }
        return origin.equalsIgnoreCase(publicOrigin) || (host != null && origin.equalsIgnoreCase((tls ? "https://" : "http://") + host));
    }

    private String setCookie(String value, long maxAgeSeconds) {
        return Session.COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict"
                + (secure ? "; Secure" : "");
    }

    private static String origin(URI uri) {
        int port = uri.getPort();
        return uri.getScheme() + "://" + uri.getHost() + (port < 0 ? "" : ":" + port);
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
