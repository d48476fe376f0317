package dev.hangar.registry.store;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.kit.config.Blocking;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * All SQL of the registry. A spec row holds the spec without its digests; digest_pin holds one
 * row per (version, platform), so pins are added one platform at a time and never dropped by an
 * update that does not mention them.
 */
@ApplicationScoped
public class ProcessorStore {

    private static final String UPSERT_SPEC = """
            INSERT INTO processor_spec (namespace, name, version, spec) VALUES (?, ?, ?, ?::jsonb)
            ON CONFLICT (namespace, name, version) DO UPDATE SET spec = EXCLUDED.spec, updated_at = now()
            RETURNING (xmax = 0) AS inserted""";
    private static final String UPSERT_PIN = """
            INSERT INTO digest_pin (namespace, name, version, platform, digest) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (namespace, name, version, platform) DO UPDATE SET digest = EXCLUDED.digest, pinned_at = now()""";
    private static final String SELECT_SPEC = "SELECT spec FROM processor_spec WHERE namespace = ? AND name = ? AND version = ?";
    private static final String SELECT_PINS = "SELECT platform, digest FROM digest_pin WHERE namespace = ? AND name = ? AND version = ?";
    private static final String SELECT_ALL_SPECS = "SELECT namespace, name, version, spec FROM processor_spec ORDER BY namespace, name, version";
    private static final String SELECT_ALL_PINS = "SELECT namespace, name, version, platform, digest FROM digest_pin";

    private final AgroalDataSource dataSource;

    public ProcessorStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Inserts or replaces the spec and adds/replaces the pins it carries; true when the version is new. */
    public boolean upsert(ProcessorSpec spec) {
        Blocking.require("ProcessorStore.upsert");
        ProcessorRef ref = spec.ref();
        String body = Json.write(spec.withoutDigests());
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean inserted;
                try (PreparedStatement ps = c.prepareStatement(UPSERT_SPEC)) {
                    bindRef(ps, ref);
                    ps.setString(4, body);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        inserted = rs.getBoolean(1);
                    }
                }
                for (var pin : spec.digests().entrySet()) {
                    upsertPin(c, ref, Platform.fromWire(pin.getKey()), pin.getValue());
                }
                c.commit();
                return inserted;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failure("store " + ref, e);
        }
    }

    /** Pins one platform's digest of an existing version. */
    public void pin(ProcessorRef ref, Platform platform, String digest) {
        Blocking.require("ProcessorStore.pin");
        try (Connection c = dataSource.getConnection()) {
            upsertPin(c, ref, platform, digest);
        } catch (SQLException e) {
            throw failure("pin " + platform.wire() + " of " + ref, e);
        }
    }

    public Optional<ProcessorSpec> find(ProcessorRef ref) {
        Blocking.require("ProcessorStore.find");
        try (Connection c = dataSource.getConnection()) {
            ProcessorSpec spec;
            try (PreparedStatement ps = c.prepareStatement(SELECT_SPEC)) {
                bindRef(ps, ref);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    spec = Json.read(rs.getString(1), ProcessorSpec.class);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(SELECT_PINS)) {
                bindRef(ps, ref);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        spec = spec.withDigest(Platform.fromWire(rs.getString(1)), rs.getString(2));
                    }
                }
            }
            return Optional.of(spec);
        } catch (SQLException e) {
            throw failure("read " + ref, e);
        }
    }

    /** Every version, ordered by namespace, name and (numerically) version. */
    public List<ProcessorSpec> findAll() {
        Blocking.require("ProcessorStore.findAll");
        try (Connection c = dataSource.getConnection()) {
            Map<ProcessorRef, Map<Platform, String>> pins = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(SELECT_ALL_PINS); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pins.computeIfAbsent(new ProcessorRef(rs.getString(1), rs.getString(2), rs.getInt(3)), k -> new LinkedHashMap<>())
                            .put(Platform.fromWire(rs.getString(4)), rs.getString(5));
                }
            }
            List<ProcessorSpec> specs = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SELECT_ALL_SPECS); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    var ref = new ProcessorRef(rs.getString(1), rs.getString(2), rs.getInt(3));
                    ProcessorSpec spec = Json.read(rs.getString(4), ProcessorSpec.class);
                    for (var pin : pins.getOrDefault(ref, Map.of()).entrySet()) {
                        spec = spec.withDigest(pin.getKey(), pin.getValue());
                    }
                    specs.add(spec);
                }
            }
            return specs;
        } catch (SQLException e) {
            throw failure("list processors", e);
        }
    }

    private static void upsertPin(Connection c, ProcessorRef ref, Platform platform, String digest) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPSERT_PIN)) {
            bindRef(ps, ref);
            ps.setString(4, platform.wire());
            ps.setString(5, digest);
            ps.executeUpdate();
        }
    }

    private static void bindRef(PreparedStatement ps, ProcessorRef ref) throws SQLException {
        ps.setString(1, ref.namespace());
        ps.setString(2, ref.name());
        ps.setInt(3, ref.version());
    }

    /** A lost or refused connection is retryable (ERR_UNAVAILABLE); anything else is a bug. */
    public static RuntimeException failure(String what, SQLException e) {
        if (connectionLost(e)) {
            return new HangarException(ErrorCode.ERR_UNAVAILABLE, "the registry database is unavailable; could not "
                    + what, e);
        }
        return new IllegalStateException("could not " + what + " (SQL state " + e.getSQLState() + ")", e);
    }

    /** SQL state class 08 is "connection exception"; Agroal reports a pool that cannot connect as a timeout. */
    private static boolean connectionLost(SQLException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SQLTransientConnectionException
                    || (c instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08"))
                    || (c.getMessage() != null && c.getMessage().contains("Acquisition timeout"))) {
                return true;
            }
        }
        return false;
    }
}
