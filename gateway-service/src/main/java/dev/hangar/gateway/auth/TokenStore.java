package dev.hangar.gateway.auth;

import dev.hangar.contracts.ApiToken;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.gateway.config.GatewayConfig;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * API tokens → owners and scopes. Only the sha256 of a token is stored. The table is mirrored in
 * memory so a WebSocket upgrade (on the event loop) can check a token without blocking, and every
 * replica keeps its mirror current through PostgreSQL {@code LISTEN/NOTIFY}: a trigger announces
 * each insert, revocation or change ({@code hangar_api_tokens}), and a listener thread re-reads
 * that one row, so a revoked token stops working on every replica within milliseconds. When the
 * listening connection breaks, the listener reconnects and re-reads the whole table.
 */
@ApplicationScoped
public class TokenStore {
    static final Pattern OWNER = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    static final String CHANNEL = "hangar_api_tokens";
    private static final Logger LOG = Logger.getLogger(TokenStore.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<ApiToken.Scope> ALL = Set.copyOf(EnumSet.allOf(ApiToken.Scope.class));
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
    private static final String COLUMNS = "token_sha256, id, owner, name, scopes, created_at";

    private final AgroalDataSource db;
    private final GatewayConfig config;
    private final Map<String, Entry> byHash = new ConcurrentHashMap<>();
    private final Map<String, Instant> touched = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private Thread listener;

    /** One valid token as the mirror holds it. */
    public record Entry(String id, String owner, String name, Set<ApiToken.Scope> scopes, Instant createdAt) {}

    public TokenStore(AgroalDataSource db, GatewayConfig config) {
        this.db = db;
        this.config = config;
    }

    /** Adds the configured bootstrap tokens ({@code owner=token,...}, every scope), loads the table and starts listening. */
    void onStart(@Observes StartupEvent start) {
        config.bootstrapTokens().ifPresent(list -> {
            for (String pair : list.split(",")) {
                String[] parts = pair.strip().split("=", 2);
                if (parts.length == 2 && !parts[1].isBlank()) {
                    insert(parts[0], parts[1], "bootstrap", ALL, true);
                }
            }
        });
        reloadAll();
        listener = Thread.ofVirtual().name("token-listener").start(this::listen);
    }

    void onStop(@Observes ShutdownEvent stop) {
        running = false;
        if (listener != null) {
            listener.interrupt();
        }
    }

    public Optional<String> owner(String token) {
        return entry(token).map(Entry::owner);
    }

    /** The token's entry while it is valid; notes (at most once a minute, off the caller's thread) that it was used. */
    public Optional<Entry> entry(String token) {
        if (token == null) {
            return Optional.empty();
        }
        String hash = sha256(token);
        Optional<Entry> entry = entryOfHash(hash);
        entry.ifPresent(e -> touch(hash));
        return entry;
    }

    /** The owner of the token whose sha256 (hex) this is, while that token is valid. */
    public Optional<String> ownerOfHash(String tokenSha256) {
        return entryOfHash(tokenSha256).map(Entry::owner);
    }

    public Optional<Entry> entryOfHash(String tokenSha256) {
        return Optional.ofNullable(byHash.get(tokenSha256));
    }

    /** A fresh random token for an owner, with every scope. */
    public String mint(String owner) {
        return create(owner, "minted", List.copyOf(ALL)).token();
    }

    /** A new token; the answer is the only place the token itself ever appears. */
    public ApiToken.Created create(String owner, String name, List<ApiToken.Scope> scopes) {
        return create(owner, name, scopes, null).created();
    }

    /** What a create did: {@code fresh} is false when the idempotency key named an earlier token (shown without its secret). */
    public record Creation(ApiToken.Created created, boolean fresh) {}

    /**
     * A new token, or, when {@code idempotencyKey} already made one for this owner, that one
     * without its secret (which was shown once, to the attempt whose answer the caller lost).
     */
    public Creation create(String owner, String name, List<ApiToken.Scope> scopes, String idempotencyKey) {
        if (idempotencyKey != null) {
            var earlier = byIdempotencyKey(owner, idempotencyKey);
            if (earlier.isPresent()) {
                return new Creation(earlier.get(), false);
            }
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = "hgr_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Entry e;
        try {
            e = insert(owner, token, name, Set.copyOf(scopes), false, idempotencyKey);
        } catch (HangarException twin) {
            if (idempotencyKey != null && twin.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return new Creation(byIdempotencyKey(owner, idempotencyKey).orElseThrow(() -> twin), false); // a concurrent twin won
            }
            throw twin;
        }
        return new Creation(new ApiToken.Created(e.id(), e.owner(), e.name(), sorted(e.scopes()), token, e.createdAt()), true);
    }

    private Optional<ApiToken.Created> byIdempotencyKey(String owner, String key) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM api_tokens WHERE owner = ? AND idempotency_key = ?")) {
            ps.setString(1, owner);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Entry e = read(rs);
                return Optional.of(new ApiToken.Created(e.id(), e.owner(), e.name(), sorted(e.scopes()), null, e.createdAt()));
            }
        } catch (SQLException e) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "cannot look the token up: " + e.getMessage(), e);
        }
    }

    /** The tokens of one owner, or of everyone when {@code owner} is null (admins); never a token or its hash. */
    public List<ApiToken.Info> list(String owner) {
        String sql = "SELECT id, owner, name, scopes, created_at, last_used_at FROM api_tokens"
                + (owner == null ? "" : " WHERE owner = ?") + " ORDER BY owner, created_at, id";
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (owner != null) {
                ps.setString(1, owner);
            }
            List<ApiToken.Info> list = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    var used = rs.getTimestamp(6);
                    list.add(new ApiToken.Info(rs.getString(1), rs.getString(2), rs.getString(3), sorted(scopes(rs.getArray(4))),
                            rs.getTimestamp(5).toInstant(), used == null ? null : used.toInstant()));
                }
            }
            return list;
        } catch (SQLException e) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "cannot list the tokens: " + e.getMessage(), e);
        }
    }

    /** Deletes a token of {@code owner} (any owner's when null); false when there is none with that id. */
    public boolean revoke(String id, String owner) {
        String sql = "DELETE FROM api_tokens WHERE id = ?" + (owner == null ? "" : " AND owner = ?") + " RETURNING token_sha256";
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            if (owner != null) {
                ps.setString(2, owner);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                byHash.remove(rs.getString(1)); // this replica at once; the others by NOTIFY
                return true;
            }
        } catch (SQLException e) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "cannot revoke the token: " + e.getMessage(), e);
        }
    }

    private Entry insert(String owner, String token, String name, Set<ApiToken.Scope> scopes, boolean bootstrap) {
        return insert(owner, token, name, scopes, bootstrap, null);
    }

    private Entry insert(String owner, String token, String name, Set<ApiToken.Scope> scopes, boolean bootstrap, String idempotencyKey) {
        if (!OWNER.matcher(owner).matches()) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "owner '" + owner + "' must match " + OWNER.pattern());
        }
        String hash = sha256(token);
        // a bootstrap token keeps its row (and id) across restarts; its owner and scopes follow the configuration
        String sql = "INSERT INTO api_tokens (token_sha256, id, owner, name, scopes, idempotency_key) VALUES (?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (token_sha256) DO UPDATE SET owner = EXCLUDED.owner, scopes = EXCLUDED.scopes"
                + (bootstrap ? "" : ", name = EXCLUDED.name") + " RETURNING " + COLUMNS;
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, hash);
            ps.setString(2, "tok_" + hash.substring(0, 16));
            ps.setString(3, owner);
            ps.setString(4, name);
            ps.setArray(5, c.createArrayOf("text", sorted(scopes).stream().map(ApiToken.Scope::wire).toArray()));
            ps.setString(6, idempotencyKey);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Entry e = read(rs);
                byHash.put(hash, e);
                return e;
            }
        } catch (SQLException e) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "cannot store the token: " + e.getMessage(), e);
        }
    }

    private void reloadAll() {
        Map<String, Entry> fresh = new HashMap<>();
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM api_tokens");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                fresh.put(rs.getString(1), read(rs));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot load API tokens", e);
        }
        byHash.keySet().retainAll(fresh.keySet());
        byHash.putAll(fresh);
    }

    private void reload(Connection c, String hash) throws SQLException {
        try (var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM api_tokens WHERE token_sha256 = ?")) {
            ps.setString(1, hash);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    byHash.put(hash, read(rs));
                } else {
                    byHash.remove(hash);
                }
            }
        }
    }

    /** The listener thread: LISTEN on a connection of its own, apply each notification, reconnect on failure. */
    private void listen() {
        while (running) {
            try (Connection c = db.getConnection()) {
                try (var s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                reloadAll(); // whatever changed while this replica was not listening
                var pg = c.unwrap(org.postgresql.PGConnection.class);
                while (running) {
                    var notifications = pg.getNotifications(1000);
                    if (notifications != null) {
                        for (var n : notifications) {
                            reload(c, n.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warnf("token change listener lost its connection (%s); reconnecting", e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void touch(String hash) {
        Instant now = Instant.now();
        Instant last = touched.get(hash);
        if (last != null && last.plus(TOUCH_EVERY).isAfter(now)) {
            return;
        }
        touched.put(hash, now);
        Thread.ofVirtual().start(() -> {
            try (Connection c = db.getConnection();
                 var ps = c.prepareStatement("UPDATE api_tokens SET last_used_at = now() WHERE token_sha256 = ?")) {
                ps.setString(1, hash);
                ps.executeUpdate();
            } catch (SQLException e) {
                LOG.debugf("could not note a token's use: %s", e.getMessage());
            }
        });
    }

    private static Entry read(ResultSet rs) throws SQLException {
        return new Entry(rs.getString(2), rs.getString(3), rs.getString(4), scopes(rs.getArray(5)), rs.getTimestamp(6).toInstant());
    }

    private static Set<ApiToken.Scope> scopes(Array array) throws SQLException {
        return Set.copyOf(Arrays.stream((String[]) array.getArray()).map(ApiToken.Scope::fromWire).toList());
    }

    private static List<ApiToken.Scope> sorted(Set<ApiToken.Scope> scopes) {
        return scopes.stream().sorted().toList();
    }

    static String sha256(String token) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
