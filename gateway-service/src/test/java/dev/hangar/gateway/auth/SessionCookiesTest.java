package dev.hangar.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.gateway.AuthTest;
import dev.hangar.gateway.config.GatewayConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** A session lasts its TTL and no longer, is bound to the key that signed it, and to its gateway's origin. */
@QuarkusTest
@TestProfile(AuthTest.Enabled.class)
class SessionCookiesTest {
    @Inject
    TokenStore tokens;
    @Inject
    GatewayConfig config;

    SessionCookies at(Instant now, String key) {
        return new SessionCookies(key, config.publicUrl(), tokens, Clock.fixed(now, ZoneOffset.UTC));
    }

    static String value(SessionCookies.Minted minted) {
        String header = minted.setCookie();
        return header.substring(header.indexOf('=') + 1, header.indexOf(';'));
    }

    @Test
    void aSessionExpiresAfterItsTtl() {
        Instant t0 = Instant.parse("2026-11-22T10:00:00Z");
        var minted = at(t0, config.secretsKey()).mint("alice-token-for-tests").orElseThrow();
        assertEquals("alice", minted.info().owner());
        assertTrue(at(t0.plus(Duration.ofHours(11)), config.secretsKey()).verify(value(minted)).isPresent());
        assertFalse(at(t0.plus(SessionCookies.TTL), config.secretsKey()).verify(value(minted)).isPresent());
        assertTrue(minted.setCookie().contains("Max-Age=" + SessionCookies.TTL.toSeconds()), minted.setCookie());
    }

    @Test
    void anotherKeyDoesNotAcceptIt() {
        Instant now = Instant.now();
        var minted = at(now, config.secretsKey()).mint("bob-token-for-tests").orElseThrow();
        assertFalse(at(now, config.secretsKey() + "-rotated").verify(value(minted)).isPresent());
        assertTrue(at(now, config.secretsKey()).mint("not-a-token").isEmpty());
    }

    @Test
    void onlyTheGatewaysOwnOriginCounts() {
        var cookies = at(Instant.now(), config.secretsKey());
        String own = config.publicUrl().replaceFirst("/$", "");
        assertTrue(cookies.sameOrigin(own, "elsewhere:1", false));
        assertTrue(cookies.sameOrigin("http://127.0.0.1:9999", "127.0.0.1:9999", false));
        assertFalse(cookies.sameOrigin("https://127.0.0.1:9999", "127.0.0.1:9999", false), "the scheme is part of the origin");
        assertFalse(cookies.sameOrigin("http://evil.example", "127.0.0.1:9999", false));
        assertFalse(cookies.sameOrigin(null, "127.0.0.1:9999", false));
        assertFalse(cookies.sameOrigin("null", "127.0.0.1:9999", false), "an opaque origin (sandboxed page, file://)");
    }

    @Test
    void theCookieHeaderIsParsedAmongOthers() {
        assertEquals("abc.def", SessionCookies.fromHeader("a=1; hangar_session=abc.def; b=2").orElseThrow());
        assertTrue(SessionCookies.fromHeader("hangar_sessionx=1").isEmpty());
        assertTrue(SessionCookies.fromHeader(null).isEmpty());
    }
}
