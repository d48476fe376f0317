package dev.hangar.registry.deploy;

import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.kit.config.Blocking;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/** The SQL of deployments and their executors' events (V4__deployments.sql). */
@ApplicationScoped
public class DeploymentStore {
    private static final String COLUMNS = "env, name, namespace, proc_name, version, image, digest, min_warm, pool, owner, status, "
            + "created_at, updated_at";

    private final AgroalDataSource dataSource;
    private final java.time.Duration staleAfter;

    public DeploymentStore(AgroalDataSource dataSource, dev.hangar.registry.config.RegistryConfig config) {
        this.dataSource = dataSource;
        this.staleAfter = config.deployStaleAfter();
    }

    /** Records (or re-binds) a deployment; its status starts again at {@code requested}. */
    public Deploy.Deployment upsert(String name, ProcessorRef ref, String env, Deploy.OciRef oci, int minWarm, String pool, String owner) {
        Blocking.require("DeploymentStore.upsert");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO deployment (env, name, namespace, proc_name, version, image, digest, min_warm, pool, owner, status) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'requested') ON CONFLICT (env, name) DO UPDATE SET "
                        + "namespace = EXCLUDED.namespace, proc_name = EXCLUDED.proc_name, version = EXCLUDED.version, "
                        + "image = EXCLUDED.image, digest = EXCLUDED.digest, min_warm = EXCLUDED.min_warm, pool = EXCLUDED.pool, "
                        + "owner = EXCLUDED.owner, status = 'requested', updated_at = now()")) {
            ps.setString(1, env);
            ps.setString(2, name);
            ps.setString(3, ref.namespace());
            ps.setString(4, ref.name());
            ps.setInt(5, ref.version());
            ps.setString(6, oci.toString());
            ps.setString(7, oci.digest());
            ps.setInt(8, minWarm);
            ps.setString(9, pool);
            ps.setString(10, owner);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("record deployment " + env + "/" + name, e);
        }
        return find(env, name).orElseThrow();
    }

    public Optional<Deploy.Deployment> find(String env, String name) {
        Blocking.require("DeploymentStore.find");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM deployment WHERE env = ? AND name = ?")) {
            ps.setString(1, env);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(c, rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("read deployment " + env + "/" + name, e);
        }
    }

    /** The deployments of a ref in an environment, newest first (dev has one per branch and user). */
    public List<Deploy.Deployment> list(ProcessorRef ref, String env) {
        Blocking.require("DeploymentStore.list");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM deployment WHERE namespace = ? AND proc_name = ? AND version = ? AND env = ? "
                        + "ORDER BY updated_at DESC, name")) {
            ps.setString(1, ref.namespace());
            ps.setString(2, ref.name());
            ps.setInt(3, ref.version());
            ps.setString(4, env);
            var list = new ArrayList<Deploy.Deployment>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    list.add(read(c, rs));
                }
            }
            return list;
        } catch (SQLException e) {
            throw failure("list deployments of " + ref + " in " + env, e);
        }
    }

    /**
     * Records an executor's event and moves the status where the transition table allows; an
     * event for another digest than the bound one (an older deploy) is kept but moves nothing.
     * Every event marks when the registry last heard from that executor; a repeat of the
     * executor's newest event (its periodic report: same type, digest and warm count) only does
     * that, so the log keeps changes, not heartbeats.
     */
    public void record(Deploy.Event event) {
        Blocking.require("DeploymentStore.record");
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                String status;
                String digest;
                try (PreparedStatement ps = c.prepareStatement("SELECT status, digest FROM deployment WHERE env = ? AND name = ? FOR UPDATE")) {
                    ps.setString(1, event.env());
                    ps.setString(2, event.name());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            c.rollback();
                            return;
                        }
                        status = rs.getString(1);
                        digest = rs.getString(2);
                    }
                }
                if (!repeatsNewest(c, event)) {
                    insertEvent(c, event);
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO deployment_report (env, name, executor_id, reported_at) "
                        + "VALUES (?, ?, ?, now()) ON CONFLICT (env, name, executor_id) DO UPDATE SET reported_at = now()")) {
                    ps.setString(1, event.env());
                    ps.setString(2, event.name());
                    ps.setString(3, event.executorId());
                    ps.executeUpdate();
                }
                var next = event.type().status();
                if (digest.equals(event.digest()) && Deploy.Status.fromWire(status).canMoveTo(next)) {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE deployment SET status = ?, updated_at = now() "
                            + "WHERE env = ? AND name = ?")) {
                        ps.setString(1, next.wire());
                        ps.setString(2, event.env());
                        ps.setString(3, event.name());
                        ps.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failure("record an event of " + event.env() + "/" + event.name(), e);
        }
    }

    /** Whether the executor's newest event about the deployment has this one's type, digest and warm count. */
    private static boolean repeatsNewest(Connection c, Deploy.Event event) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT type, digest, warm FROM deployment_event WHERE env = ? AND name = ? "
                + "AND executor_id = ? ORDER BY at DESC, id DESC LIMIT 1")) {
            ps.setString(1, event.env());
            ps.setString(2, event.name());
            ps.setString(3, event.executorId());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1).equals(event.type().wire()) && java.util.Objects.equals(rs.getString(2), event.digest())
                        && rs.getInt(3) == event.warm();
            }
        }
    }

    private static void insertEvent(Connection c, Deploy.Event event) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO deployment_event (env, name, executor_id, type, digest, "
                + "warm, message, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, event.env());
            ps.setString(2, event.name());
            ps.setString(3, event.executorId());
            ps.setString(4, event.type().wire());
            ps.setString(5, event.digest());
            ps.setInt(6, event.warm());
            ps.setString(7, event.message());
            ps.setTimestamp(8, Timestamp.from(event.at() == null ? Instant.now() : event.at()));
            ps.executeUpdate();
        }
    }

    /** Events after {@code since} (exclusive), oldest first, at most {@code limit}. */
    public List<Deploy.Event> events(Deploy.Deployment d, Instant since, int limit) {
        Blocking.require("DeploymentStore.events");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT executor_id, type, digest, warm, message, at FROM deployment_event WHERE env = ? AND name = ? AND at > ? "
                        + "ORDER BY at, id LIMIT ?")) {
            ps.setString(1, d.env());
            ps.setString(2, d.name());
            ps.setTimestamp(3, Timestamp.from(since == null ? Instant.EPOCH : since));
            ps.setInt(4, limit);
            var list = new ArrayList<Deploy.Event>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    list.add(new Deploy.Event(Deploy.SCHEMA_VERSION, d.name(), d.ref(), d.env(), type(rs.getString(2)),
                            rs.getString(3), rs.getInt(4), rs.getString(1), rs.getString(5), rs.getTimestamp(6).toInstant()));
                }
            }
            return list;
        } catch (SQLException e) {
            throw failure("list the events of " + d.env() + "/" + d.name(), e);
        }
    }

    private Deploy.Deployment read(Connection c, ResultSet rs) throws SQLException {
        String env = rs.getString(1);
        String name = rs.getString(2);
        String digest = rs.getString(7);
        return new Deploy.Deployment(name, new ProcessorRef(rs.getString(3), rs.getString(4), rs.getInt(5)), env, rs.getString(6),
                digest, rs.getInt(8), rs.getString(9), rs.getString(10), Deploy.Status.fromWire(rs.getString(11)),
                rs.getTimestamp(12).toInstant(), rs.getTimestamp(13).toInstant(), placements(c, env, name, digest));
    }

    /**
     * The newest event of each executor about the bound digest, with when the registry last heard
     * from it and its health as of now (the database's clock, which also stamped the reports).
     */
    private List<Deploy.Placement> placements(Connection c, String env, String name, String digest) throws SQLException {
        var byExecutor = new LinkedHashMap<String, Deploy.Placement>();
        try (PreparedStatement ps = c.prepareStatement("SELECT e.executor_id, e.type, e.digest, e.warm, e.message, e.at, r.reported_at, "
                + "now(), d.min_warm FROM deployment_event e JOIN deployment d ON d.env = e.env AND d.name = e.name "
                + "LEFT JOIN deployment_report r ON r.env = e.env AND r.name = e.name AND r.executor_id = e.executor_id "
                + "WHERE e.env = ? AND e.name = ? AND e.digest = ? ORDER BY e.at, e.id")) {
            ps.setString(1, env);
            ps.setString(2, name);
            ps.setString(3, digest);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    var type = type(rs.getString(2));
                    var earlier = byExecutor.get(rs.getString(1));
                    // "since" is when the executor first had it live, not its last report
                    Instant since = earlier != null && earlier.state() != Deploy.EventType.FAILED && type != Deploy.EventType.FAILED
                            ? earlier.since() : rs.getTimestamp(6).toInstant();
                    Timestamp reported = rs.getTimestamp(7);
                    Instant reportedAt = reported == null ? rs.getTimestamp(6).toInstant() : reported.toInstant();
                    var health = Deploy.health(type, rs.getInt(4), rs.getInt(9), reportedAt, rs.getTimestamp(8).toInstant(), staleAfter);
                    byExecutor.put(rs.getString(1), new Deploy.Placement(rs.getString(1), type, rs.getString(3), rs.getInt(4),
                            since, rs.getString(5), reportedAt, health));
                }
            }
        }
        return List.copyOf(byExecutor.values());
    }

    private static Deploy.EventType type(String wire) {
        return Deploy.EventType.valueOf(wire.toUpperCase(java.util.Locale.ROOT));
    }

    private static RuntimeException failure(String what, SQLException e) {
        return dev.hangar.registry.store.ProcessorStore.failure(what, e);
    }
}
