package dev.hangar.gateway.store;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.SecretValue;
import dev.hangar.gateway.config.GatewayConfig;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secret values, sealed with AES-256-GCM under a key derived from {@code hangar.gateway.secrets-key}
 * (a random 12-byte nonce per value, owner and name as associated data so a value cannot be
 * moved to another name, owner or environment). Each owner has its own secrets and one set per
 * deployment environment (docs/deploy.md). Values leave only towards an executor that is about to run a real-mode run.
 * Names and sizes follow {@link SecretValue#requireName} and {@link SecretValue#requireValue}.
 */
@ApplicationScoped
public class SecretStore {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AgroalDataSource db;
    private final SecretKeySpec key;

    public SecretStore(AgroalDataSource db, GatewayConfig config) {
        this.db = db;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(config.secretsKey().getBytes(StandardCharsets.UTF_8));
            this.key = new SecretKeySpec(digest, "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The owner's own secrets (no environment): {@code hangar secrets}. */
    public static final String NO_ENV = "";

    public void put(String owner, String name, String value) {
        put(owner, NO_ENV, name, value);
    }

    /** Stores a value for runs of {@code owner} in {@code env} ({@link #NO_ENV}: the owner's own). */
    public void put(String owner, String env, String name, String value) {
        SecretValue.requireName(name);
        SecretValue.requireValue(name, value);
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("INSERT INTO secrets (owner, env, name, sealed) "
                + "VALUES (?, ?, ?, ?) ON CONFLICT (owner, env, name) DO UPDATE SET sealed = EXCLUDED.sealed, updated_at = now()")) {
            ps.setString(1, owner);
            ps.setString(2, env);
            ps.setString(3, name);
            ps.setBytes(4, seal(owner, env, name, value));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    public boolean delete(String owner, String name) {
        return delete(owner, NO_ENV, name);
    }

    public boolean delete(String owner, String env, String name) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("DELETE FROM secrets WHERE owner = ? AND env = ? AND name = ?")) {
            ps.setString(1, owner);
            ps.setString(2, env);
            ps.setString(3, SecretValue.requireName(name));
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    public List<String> names(String owner) {
        return names(owner, NO_ENV);
    }

    public List<String> names(String owner, String env) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(
                "SELECT name FROM secrets WHERE owner = ? AND env = ? ORDER BY name")) {
            ps.setString(1, owner);
            ps.setString(2, env);
            var names = new ArrayList<String>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            return names;
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    /** The values of those of {@code names} that are set. */
    public Map<String, String> values(String owner, Collection<String> names) {
        return values(owner, NO_ENV, names);
    }

    /** The values of those of {@code names} that are set for {@code env}: an environment's run gets only its environment's. */
    public Map<String, String> values(String owner, String env, Collection<String> names) {
        var values = new LinkedHashMap<String, String>();
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(
                "SELECT sealed FROM secrets WHERE owner = ? AND env = ? AND name = ?")) {
            for (String name : names) {
                ps.setString(1, owner);
                ps.setString(2, env);
                ps.setString(3, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        values.put(name, open(owner, env, name, rs.getBytes(1)));
                    }
                }
            }
            return values;
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    /**
     * The associated data binding a sealed value to its owner, environment and name (the owner's
     * own secrets keep the {@code owner/name} they were sealed with before environments existed).
     */
    private static byte[] aad(String owner, String env, String name) {
        String bound = env.isEmpty() ? owner + "/" + name : owner + "/" + env + "/" + name;
        return bound.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] seal(String owner, String env, String name, String value) {
        try {
            byte[] nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            var cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(aad(owner, env, name));
            byte[] sealed = cipher.doFinal(value.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private String open(String owner, String env, String name, byte[] stored) {
        try {
            var cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, stored, 0, 12));
            cipher.updateAAD(aad(owner, env, name));
            return new String(cipher.doFinal(stored, 12, stored.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new HangarException(ErrorCode.ERR_INTERNAL, "secret " + name + " cannot be opened with the configured key", e);
        }
    }
}
