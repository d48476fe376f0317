package dev.hangar.gateway.auth;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The one check of the shared token executors present on {@code /internal/v1} ({@value #HEADER}). */
@ApplicationScoped
public class InternalToken {
    public static final String HEADER = "X-Hangar-Internal-Token";

    private final GatewayConfig config;

    public InternalToken(GatewayConfig config) {
        this.config = config;
    }

    /** Throws {@link ErrorCode#ERR_UNAUTHORIZED} unless {@code token} is the configured one (constant-time compare). */
    public void require(String token) {
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                config.internalToken().getBytes(StandardCharsets.UTF_8))) {
            throw new HangarException(ErrorCode.ERR_UNAUTHORIZED, "missing or wrong " + HEADER);
        }
    }
}
