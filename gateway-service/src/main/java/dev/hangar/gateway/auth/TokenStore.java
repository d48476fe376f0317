package dev.hangar.gateway.auth;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.gateway.config.GatewayConfig;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * API tokens → owners. Only the sha256 of a token is stored; the table is mirrored in memory so
 * a WebSocket upgrade (on the event loop) can check a token without blocking.
 */
@ApplicationScoped
public class TokenStore {
    static final Pattern OWNER = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AgroalDataSource db;
    private final GatewayConfig config;
    private final Map<String, String> owners = new ConcurrentHashMap<>();

    public TokenStore(AgroalDataSource db, GatewayConfig config) {
        this.db = db;
        this.config = config;
    }

    /** Loads the tokens and adds the configured bootstrap ones ({@code owner=token,...}). */
    void onStart(@Observes StartupEvent start) {
        config.bootstrapTokens().ifPresent(list -> {
            for (String pair : list.split(",")) {
                String[] parts = pair.strip().split("=", 2);
                if (parts.length == 2 && !parts[1].isBlank()) {
                    put(parts[0], parts[1]);
                }
            }
        });
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("SELECT token_sha256, owner FROM api_tokens");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                owners.put(rs.getString(1), rs.getString(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot load API tokens", e);
        }
    }

    public Optional<String> owner(String token) {
        return token == null ? Optional.empty() : ownerOfHash(sha256(token));
    }

    /** The owner of the token whose sha256 (hex) this is, while that token is valid. */
    public Optional<String> ownerOfHash(String tokenSha256) {
        return Optional.ofNullable(owners.get(tokenSha256));
    }

    /** A fresh random token for an owner. */
    public String mint(String owner) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = "hgr_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        put(owner, token);
        return token;
    }

    private void put(String owner, String token) {
        if (!OWNER.matcher(owner).matches()) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "owner '" + owner + "' must match " + OWNER.pattern());
        }
        String hash = sha256(token);
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("INSERT INTO api_tokens (token_sha256, owner) "
                + "VALUES (?, ?) ON CONFLICT (token_sha256) DO UPDATE SET owner = EXCLUDED.owner")) {
            ps.setString(1, hash);
            ps.setString(2, owner);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "cannot store the token: " + e.getMessage(), e);
        }
        owners.put(hash, owner);
    }

    static String sha256(String token) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
