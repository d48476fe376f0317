package dev.hangar.contracts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * How Hangar's services authenticate each other: every call to the registry, storage and the
 * gateway's internal endpoints carries the shared internal token ({@code HANGAR_INTERNAL_TOKEN})
 * in {@link #TOKEN_HEADER}; a call the gateway makes for a tenant also names that tenant in
 * {@link #OWNER_HEADER}, which the registry trusts only next to a valid token.
 */
public final class InternalAuth {
    public static final String TOKEN_HEADER = "X-Hangar-Internal-Token";
    public static final String OWNER_HEADER = "X-Hangar-Owner";
    /** The fallback token in every service's properties: accepted only in the dev and test profiles. */
    public static final String FALLBACK_TOKEN = "local-development-internal-token";

    private InternalAuth() {}

    /** Whether {@code given} is the expected token, compared in constant time. */
    public static boolean matches(String expected, String given) {
        return expected != null && given != null
                && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    /** The problem a caller without the right token gets. */
    public static Problem refused() {
        return Problem.of(ErrorCode.ERR_INTERNAL_UNAUTHORIZED, "missing or wrong " + TOKEN_HEADER
                + ": only Hangar's own services may call this one (they send HANGAR_INTERNAL_TOKEN)", null, java.util.List.of());
    }
}
