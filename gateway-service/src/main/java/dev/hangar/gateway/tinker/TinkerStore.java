package dev.hangar.gateway.tinker;

import dev.hangar.gateway.store.RunStore;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Optional;

/**
 * What only Tinker's surface keeps (PostgreSQL, migration V13): the idempotency key of a client
 * session and the sampling sessions. Every read names the owner, so another owner's row is simply
 * not found, and a key is unique per owner only.
 */
@ApplicationScoped
public class TinkerStore {
    private final AgroalDataSource db;

    public TinkerStore(AgroalDataSource db) {
        this.db = db;
    }

    /** A sampling session: what asample samples when it names it. */
    record SamplingSession(String id, String owner, String clientSessionId, String baseModel, String modelPath) {}

    /** Inserts a client session; false when the owner's key already made one (then {@link #clientByKey}). */
    boolean insertClient(String id, String owner, String tags, String key) {
        return update("INSERT INTO client_sessions (client_session_id, owner, tags, idempotency_key) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT DO NOTHING", ps -> {
            ps.setString(1, id);
            ps.setString(2, owner);
            ps.setString(3, tags);
            ps.setString(4, key);
        }) == 1;
    }

    Optional<String> clientByKey(String owner, String key) {
        return query("SELECT client_session_id FROM client_sessions WHERE owner = ? AND idempotency_key = ?", ps -> {
            ps.setString(1, owner);
            ps.setString(2, key);
        }).map(row -> row[0]);
    }

    /** Inserts a sampling session; false when its client session and seq id already made one (then {@link #samplingBySeq}). */
    boolean insertSampling(SamplingSession s, Integer seqId) {
        return update("INSERT INTO sampling_sessions (sampling_session_id, owner, client_session_id, seq_id, base_model, model_path) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", ps -> {
            ps.setString(1, s.id());
            ps.setString(2, s.owner());
            ps.setString(3, s.clientSessionId());
            if (seqId == null) {
                ps.setNull(4, Types.INTEGER);
            } else {
                ps.setInt(4, seqId);
            }
            ps.setString(5, s.baseModel());
            ps.setString(6, s.modelPath());
        }) == 1;
    }

    Optional<SamplingSession> sampling(String id, String owner) {
        return query("SELECT sampling_session_id, owner, client_session_id, base_model, model_path FROM sampling_sessions "
                + "WHERE sampling_session_id = ? AND owner = ?", ps -> {
            ps.setString(1, id);
            ps.setString(2, owner);
        }).map(r -> new SamplingSession(r[0], r[1], r[2], r[3], r[4]));
    }

    Optional<SamplingSession> samplingBySeq(String owner, String clientSessionId, int seqId) {
        return query("SELECT sampling_session_id, owner, client_session_id, base_model, model_path FROM sampling_sessions "
                + "WHERE owner = ? AND client_session_id = ? AND seq_id = ?", ps -> {
            ps.setString(1, owner);
            ps.setString(2, clientSessionId);
            ps.setInt(3, seqId);
        }).map(r -> new SamplingSession(r[0], r[1], r[2], r[3], r[4]));
    }

    // ---- plumbing

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private int update(String sql, Binder binder) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    /** The first row's columns as strings. */
    private Optional<String[]> query(String sql, Binder binder) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (var rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                var row = new String[rs.getMetaData().getColumnCount()];
                for (int i = 0; i < row.length; i++) {
                    row[i] = rs.getString(i + 1);
                }
                return Optional.of(row);
            }
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }
}
