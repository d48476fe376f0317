package dev.hangar.gateway.training;

import dev.hangar.contracts.Json;
import dev.hangar.contracts.Training;
import dev.hangar.gateway.store.RunStore;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Training sessions and Tinker client sessions (PostgreSQL, migration V12). Every read names the
 * owner, so another owner's session is simply not found.
 */
@ApplicationScoped
public class TrainingStore {
    private static final String COLUMNS = "session_id, owner, base_model, processor_ref, lora_config, status, client_session_id, "
            + "created_future, created_at, last_heartbeat_at, closed_at";

    private final AgroalDataSource db;

    public TrainingStore(AgroalDataSource db) {
        this.db = db;
    }

    /** A session row. */
    public record Row(String sessionId, String owner, String baseModel, String processorRef, Training.LoraConfig lora,
                      Training.SessionStatus status, String clientSessionId, String createdFuture, Instant createdAt,
                      Instant lastHeartbeatAt, Instant closedAt) {
        boolean expiredBy(Instant now, Duration timeout) {
            return status == Training.SessionStatus.OPEN && lastHeartbeatAt.plus(timeout).isBefore(now);
        }
    }

    /** A call's run: which session and op it is. */
    public record CallRow(String executionId, String sessionId, Training.Op op) {}

    /** Inserts an open session; false when the owner's idempotency key already made one (then {@link #byIdempotencyKey}). */
    public boolean insert(Row row, String idempotencyKey) {
        String sql = "INSERT INTO training_sessions (session_id, owner, base_model, processor_ref, lora_config, client_session_id, "
                + "idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(sql)) {
            ps.setString(1, row.sessionId());
            ps.setString(2, row.owner());
            ps.setString(3, row.baseModel());
            ps.setString(4, row.processorRef());
            ps.setString(5, Json.write(row.lora()));
            ps.setString(6, row.clientSessionId());
            ps.setString(7, idempotencyKey);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    public Optional<Row> byIdempotencyKey(String owner, String key) {
        return one("SELECT " + COLUMNS + " FROM training_sessions WHERE owner = ? AND idempotency_key = ?", owner, key);
    }

    public Optional<Row> find(String sessionId, String owner) {
        return one("SELECT " + COLUMNS + " FROM training_sessions WHERE session_id = ? AND owner = ?", sessionId, owner);
    }

    public void setCreatedFuture(String sessionId, String futureId) {
        update("UPDATE training_sessions SET created_future = ? WHERE session_id = ?", futureId, sessionId);
    }

    public void delete(String sessionId) {
        update("DELETE FROM training_sessions WHERE session_id = ?", sessionId);
    }

    public long openOf(String owner) {
        try (Connection c = db.getConnection();
             var ps = c.prepareStatement("SELECT count(*) FROM training_sessions WHERE owner = ? AND status = 'open'")) {
            ps.setString(1, owner);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    /** Refreshes an open session's heartbeat; false when it is not open (or not the owner's). */
    public boolean heartbeat(String sessionId, String owner) {
        return update("UPDATE training_sessions SET last_heartbeat_at = now() WHERE session_id = ? AND owner = ? "
                + "AND status = 'open'", sessionId, owner) == 1;
    }

    /** Moves an open session to closed or expired; false when it was not open any more (another replica, a second close). */
    public boolean end(String sessionId, Training.SessionStatus to) {
        return update("UPDATE training_sessions SET status = ?, closed_at = now() WHERE session_id = ? AND status = 'open'",
                to.wire(), sessionId) == 1;
    }

    /** Marks every open session whose heartbeat is older than {@code timeout} expired, and returns them (each once, on one replica). */
    public List<Row> expire(Duration timeout) {
        String sql = "UPDATE training_sessions SET status = 'expired', closed_at = now() WHERE status = 'open' "
                + "AND last_heartbeat_at < now() - make_interval(secs => ?) RETURNING " + COLUMNS;
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(sql)) {
            ps.setDouble(1, timeout.toMillis() / 1000.0);
            try (var rs = ps.executeQuery()) {
                var rows = new ArrayList<Row>();
                while (rs.next()) {
                    rows.add(row(rs));
                }
                return rows;
            }
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    /** The session and op of an owner's run, if it is a training call. */
    public Optional<CallRow> call(String executionId, String owner) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(
                "SELECT execution_id, session_id, session_op FROM runs WHERE execution_id = ? AND owner = ? AND session_id IS NOT NULL")) {
            ps.setString(1, executionId);
            ps.setString(2, owner);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new CallRow(rs.getString(1), rs.getString(2), Training.Op.fromWire(rs.getString(3))))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    // ---- Tinker client sessions

    public void insertClient(String clientSessionId, String owner, String tags) {
        update("INSERT INTO client_sessions (client_session_id, owner, tags) VALUES (?, ?, ?)", clientSessionId, owner, tags);
    }

    public boolean clientExists(String clientSessionId, String owner) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(
                "SELECT 1 FROM client_sessions WHERE client_session_id = ? AND owner = ?")) {
            ps.setString(1, clientSessionId);
            ps.setString(2, owner);
            try (var rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    /** A client session's heartbeat: it and every open training session made in it; false when it is not the owner's. */
    public boolean heartbeatClient(String clientSessionId, String owner) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (var client = c.prepareStatement("UPDATE client_sessions SET last_heartbeat_at = now() "
                    + "WHERE client_session_id = ? AND owner = ?");
                 var models = c.prepareStatement("UPDATE training_sessions SET last_heartbeat_at = now() "
                         + "WHERE client_session_id = ? AND owner = ? AND status = 'open'")) {
                client.setString(1, clientSessionId);
                client.setString(2, owner);
                boolean found = client.executeUpdate() == 1;
                models.setString(1, clientSessionId);
                models.setString(2, owner);
                models.executeUpdate();
                c.commit();
                return found;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    // ---- plumbing

    private Optional<Row> one(String sql, String a, String b) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(sql)) {
            ps.setString(1, a);
            ps.setString(2, b);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    private int update(String sql, String... values) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                ps.setString(i + 1, values[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                Json.read(rs.getString(5), Training.LoraConfig.class), Training.SessionStatus.fromWire(rs.getString(6)),
                rs.getString(7), rs.getString(8), instant(rs.getTimestamp(9)), instant(rs.getTimestamp(10)),
                instant(rs.getTimestamp(11)));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
