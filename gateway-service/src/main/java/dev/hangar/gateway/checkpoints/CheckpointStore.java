package dev.hangar.gateway.checkpoints;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.hangar.contracts.Checkpoint;
import dev.hangar.contracts.CheckpointPath;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunStatus;
import dev.hangar.contracts.TrainingRun;
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
import java.util.List;
import java.util.Optional;

/** The {@code training_runs} and {@code checkpoints} tables (V9). JDBC: callers are on worker or virtual threads. */
@ApplicationScoped
public class CheckpointStore {
    private static final String COLUMNS = "c.run_id, c.kind, c.checkpoint_id, c.owner, c.base_model, c.lora, c.size_bytes, "
            + "c.files, c.attachment, c.public, c.created_at, c.expires_at, c.archive";
    private static final String TERMINAL = "('success', 'error', 'canceled')";
    private static final TypeReference<List<StoredFile>> FILES = new TypeReference<>() {};

    private final AgroalDataSource db;

    public CheckpointStore(AgroalDataSource db) {
        this.db = db;
    }

    /** One artefact a checkpoint is made of; {@code name} is its path inside the checkpoint (and the archive). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record StoredFile(String name, String path, long sizeBytes) {}

    /** A built download archive: where it is stored and its checksum. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record StoredArchive(String path, String sha256, long sizeBytes, String filename) {}

    /** A checkpoint row: what the API shows, and what only the service uses. */
    public record Row(Checkpoint checkpoint, CheckpointPath path, List<StoredFile> files, StoredArchive archive) {}

    /** A checkpoint to register. */
    public record NewCheckpoint(CheckpointPath path, String owner, String baseModel, Checkpoint.Lora lora, List<StoredFile> files,
                                String attachment) {}

    /** An ended training run whose checkpoints are not registered yet. */
    public record Ended(String runId, String owner, String baseModel, Checkpoint.Lora lora, RunStatus status, String envelope) {}

    public void insertTrainingRun(String runId, String owner, String baseModel, Checkpoint.Lora lora, int steps) {
        update("INSERT INTO training_runs (run_id, owner, base_model, lora, steps) VALUES (?, ?, ?, ?::jsonb, ?) "
                + "ON CONFLICT (run_id) DO NOTHING", ps -> {
            ps.setString(1, runId);
            ps.setString(2, owner);
            ps.setString(3, baseModel);
            ps.setString(4, Json.write(lora));
            ps.setInt(5, steps);
        });
    }

    private static final String TRAINING_RUN = "SELECT t.run_id, t.owner, t.base_model, t.lora, t.steps, r.status, t.created_at, "
            + "r.updated_at, (SELECT 'hangar://' || c.run_id || '/' || c.kind || '/' || c.checkpoint_id FROM checkpoints c "
            + "WHERE c.run_id = t.run_id AND c.kind = 'sampler_weights' ORDER BY c.created_at DESC, length(c.checkpoint_id) DESC, "
            + "c.checkpoint_id DESC LIMIT 1) AS last_checkpoint FROM training_runs t JOIN runs r ON r.execution_id = t.run_id ";

    public Optional<TrainingRun> findTrainingRun(String runId, String owner) {
        return query(TRAINING_RUN + "WHERE t.run_id = ? AND t.owner = ?", ps -> {
            ps.setString(1, runId);
            ps.setString(2, owner);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(trainingRun(rs)) : Optional.empty();
            }
        });
    }

    /** Newest first. */
    public List<TrainingRun> listTrainingRuns(String owner, int limit) {
        return listTrainingRuns(owner, limit, 0);
    }

    /** Newest first, from {@code offset} (Tinker's cursor). */
    public List<TrainingRun> listTrainingRuns(String owner, int limit, int offset) {
        return query(TRAINING_RUN + "WHERE t.owner = ? ORDER BY t.created_at DESC, t.run_id DESC LIMIT ? OFFSET ?", ps -> {
            ps.setString(1, owner);
            ps.setInt(2, limit);
            ps.setInt(3, offset);
            var runs = new ArrayList<TrainingRun>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    runs.add(trainingRun(rs));
                }
            }
            return runs;
        });
    }

    public long countTrainingRuns(String owner) {
        return query("SELECT count(*) FROM training_runs t WHERE t.owner = ?", ps -> {
            ps.setString(1, owner);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** What {@link #registerEnded} hands each ended run to: the checkpoints its envelope names. */
    public interface Registration {
        List<NewCheckpoint> checkpointsOf(Ended run);
    }

    /**
     * Registers the checkpoints of up to {@code limit} ended, unregistered training runs, each in its
     * own transaction holding its row ({@code SKIP LOCKED}: replicas never register one run twice).
     * A run whose registration throws stays unregistered and is tried again next time.
     */
    public int registerEnded(int limit, Registration registration) {
        Blocking.require("CheckpointStore.registerEnded");
        return registerEach(limit, CheckpointStore::claimOne, registration, (c, run) -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE training_runs SET registered_at = now() WHERE run_id = ?")) {
                ps.setString(1, run.runId());
                ps.executeUpdate();
            }
        });
    }

    private static final String SESSION_SAVES = "SELECT r.execution_id, s.session_id, s.owner, s.base_model, s.lora_config, "
            + "r.status, r.envelope FROM runs r JOIN training_sessions s ON s.session_id = r.session_id "
            + "WHERE r.session_op IN ('save_weights', 'save_weights_for_sampler') AND r.status IN " + TERMINAL
            + " AND NOT EXISTS (SELECT 1 FROM session_checkpoint_calls k WHERE k.execution_id = r.execution_id)";

    /**
     * Registers the checkpoints of up to {@code limit} ended save calls of training sessions
     * ({@code executionId} non-null: of that call only), each in its own transaction whose claim is
     * the {@code session_checkpoint_calls} row: a replica that finds the call claimed by another
     * waits for that one's commit and then skips it. {@link Ended#runId()} is the session id, the
     * run id of the checkpoints' paths.
     */
    public int registerSessionSaves(String executionId, int limit, Registration registration) {
        Blocking.require("CheckpointStore.registerSessionSaves");
        return registerEach(limit, c -> claimSessionSave(c, executionId), registration, (c, run) -> { });
    }

    private interface Claim {
        /** The next ended run this transaction now holds, or empty when there is none (or another replica holds it). */
        Optional<Ended> next(Connection c) throws SQLException;
    }

    private interface Step {
        void apply(Connection c, Ended run) throws SQLException;
    }

    /** Up to {@code limit} claims, each with its checkpoints and {@code then} in one transaction of its own. */
    private int registerEach(int limit, Claim claim, Registration registration, Step then) {
        int done = 0;
        for (int i = 0; i < limit; i++) {
            try (Connection c = db.getConnection()) {
                c.setAutoCommit(false);
                try {
                    Optional<Ended> next = claim.next(c);
                    if (next.isEmpty()) {
                        c.rollback();
                        return done;
                    }
                    for (NewCheckpoint cp : registration.checkpointsOf(next.get())) {
                        insert(c, cp);
                    }
                    then.apply(c, next.get());
                    c.commit();
                    done++;
                } catch (RuntimeException | SQLException e) {
                    c.rollback();
                    throw e;
                }
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }
        return done;
    }

    /**
     * The next unregistered save call, claimed by inserting its {@code session_checkpoint_calls} row
     * (empty when another replica registered it, or is registering it and this one waited).
     */
    private static Optional<Ended> claimSessionSave(Connection c, String executionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SESSION_SAVES + (executionId == null ? "" : " AND r.execution_id = ?")
                + " ORDER BY r.updated_at LIMIT 1")) {
            if (executionId != null) {
                ps.setString(1, executionId);
            }
            String call;
            Ended save;
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                call = rs.getString(1);
                var lora = Json.read(rs.getString(5), dev.hangar.contracts.Training.LoraConfig.class);
                save = new Ended(rs.getString(2), rs.getString(3), rs.getString(4), new Checkpoint.Lora(lora.rank(), lora.seed(),
                        lora.trainMlp(), lora.trainAttn(), lora.trainUnembed()), RunStatus.valueOf(rs.getString(6).toUpperCase()),
                        rs.getString(7));
            }
            return claimSessionCall(c, call, save.runId()) ? Optional.of(save) : Optional.empty();
        }
    }

    private static boolean claimSessionCall(Connection c, String executionId, String sessionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO session_checkpoint_calls (execution_id, session_id) VALUES (?, ?) "
                + "ON CONFLICT DO NOTHING")) {
            ps.setString(1, executionId);
            ps.setString(2, sessionId);
            return ps.executeUpdate() == 1;
        }
    }

    private static Optional<Ended> claimOne(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT t.run_id, t.owner, t.base_model, t.lora, r.status, r.envelope "
                + "FROM training_runs t JOIN runs r ON r.execution_id = t.run_id WHERE t.registered_at IS NULL AND r.status IN "
                + TERMINAL + " ORDER BY t.created_at LIMIT 1 FOR UPDATE OF t SKIP LOCKED")) {
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Ended(rs.getString(1), rs.getString(2), rs.getString(3),
                        Json.read(rs.getString(4), Checkpoint.Lora.class), RunStatus.valueOf(rs.getString(5).toUpperCase()),
                        rs.getString(6)));
            }
        }
    }

    private static void insert(Connection c, NewCheckpoint cp) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO checkpoints (run_id, kind, checkpoint_id, owner, base_model, lora, "
                + "size_bytes, files, attachment) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?::jsonb, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, cp.path().runId());
            ps.setString(2, cp.path().kind().wire());
            ps.setString(3, cp.path().checkpointId());
            ps.setString(4, cp.owner());
            ps.setString(5, cp.baseModel());
            ps.setString(6, Json.write(cp.lora()));
            ps.setLong(7, cp.files().stream().mapToLong(StoredFile::sizeBytes).sum());
            ps.setString(8, Json.write(cp.files()));
            ps.setString(9, cp.attachment());
            ps.executeUpdate();
        }
    }

    public Optional<Row> find(CheckpointPath path) {
        return query("SELECT " + COLUMNS + " FROM checkpoints c WHERE c.run_id = ? AND c.kind = ? AND c.checkpoint_id = ?", ps -> {
            key(ps, path, 1);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        });
    }

    /** The owner's checkpoints, newest first; {@code limit} 0 = up to {@code max}. */
    public Checkpoint.Page list(String owner, String runId, int limit, int offset, int max) {
        String where = " FROM checkpoints c WHERE c.owner = ?" + (runId == null ? "" : " AND c.run_id = ?");
        long total = query("SELECT count(*)" + where, ps -> {
            ps.setString(1, owner);
            if (runId != null) {
                ps.setString(2, runId);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
        List<Checkpoint> items = query("SELECT " + COLUMNS + where + " ORDER BY c.created_at DESC, c.run_id, c.kind, "
                + "length(c.checkpoint_id) DESC, c.checkpoint_id DESC LIMIT ? OFFSET ?", ps -> {
            int i = 1;
            ps.setString(i++, owner);
            if (runId != null) {
                ps.setString(i++, runId);
            }
            ps.setInt(i++, limit == 0 ? max : limit);
            ps.setInt(i, offset);
            var out = new ArrayList<Checkpoint>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs).checkpoint());
                }
            }
            return out;
        });
        return new Checkpoint.Page(items, new Checkpoint.Cursor(total, offset, limit));
    }

    /** Whether a row of {@code owner} was changed. */
    public boolean setPublic(CheckpointPath path, String owner, boolean published) {
        return update("UPDATE checkpoints SET public = ? WHERE run_id = ? AND kind = ? AND checkpoint_id = ? AND owner = ?", ps -> {
            ps.setBoolean(1, published);
            key(ps, path, 2);
            ps.setString(5, owner);
        }) > 0;
    }

    public boolean setExpiry(CheckpointPath path, String owner, Instant expiresAt) {
        return update("UPDATE checkpoints SET expires_at = ? WHERE run_id = ? AND kind = ? AND checkpoint_id = ? AND owner = ?", ps -> {
            ps.setTimestamp(1, expiresAt == null ? null : Timestamp.from(expiresAt));
            key(ps, path, 2);
            ps.setString(5, owner);
        }) > 0;
    }

    public void setArchive(CheckpointPath path, StoredArchive archive) {
        update("UPDATE checkpoints SET archive = ?::jsonb WHERE run_id = ? AND kind = ? AND checkpoint_id = ?", ps -> {
            ps.setString(1, Json.write(archive));
            key(ps, path, 2);
        });
    }

    /** Removes the row, returning it if it was there (and, with {@code owner} non-null, that owner's). */
    public Optional<Row> delete(CheckpointPath path, String owner) {
        return query("DELETE FROM checkpoints c WHERE c.run_id = ? AND c.kind = ? AND c.checkpoint_id = ?"
                + (owner == null ? "" : " AND c.owner = ?") + " RETURNING " + COLUMNS, ps -> {
            key(ps, path, 1);
            if (owner != null) {
                ps.setString(4, owner);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        });
    }

    /** Paths of checkpoints past their expiry, oldest first. */
    public List<CheckpointPath> expired(Instant now, int limit) {
        return query("SELECT c.run_id, c.kind, c.checkpoint_id FROM checkpoints c WHERE c.expires_at <= ? ORDER BY c.expires_at LIMIT ?",
                ps -> {
                    ps.setTimestamp(1, Timestamp.from(now));
                    ps.setInt(2, limit);
                    var out = new ArrayList<CheckpointPath>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.add(new CheckpointPath(rs.getString(1), kind(rs.getString(2)), rs.getString(3)));
                        }
                    }
                    return out;
                });
    }

    /** Whether another checkpoint still uses this content-addressed artefact (same bytes, e.g. two untrained adapters). */
    public boolean stillUsed(String artefactPath) {
        return query("SELECT 1 FROM checkpoints c WHERE c.attachment = ? OR c.archive->>'path' = ? LIMIT 1", ps -> {
            ps.setString(1, artefactPath);
            ps.setString(2, artefactPath);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        });
    }

    /**
     * Runs {@code work} holding a transaction-scoped advisory lock on the path, so one replica builds
     * an archive while the others wait for it and then find it stored.
     */
    public <T> T withArchiveLock(CheckpointPath path, java.util.function.Supplier<T> work) {
        Blocking.require("CheckpointStore.withArchiveLock");
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 9))")) {
                ps.setString(1, "archive:" + path);
                ps.execute();
                T result = work.get();
                c.commit();
                return result;
            } catch (RuntimeException | SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private static TrainingRun trainingRun(ResultSet rs) throws SQLException {
        return new TrainingRun(rs.getString("run_id"), rs.getString("owner"), rs.getString("base_model"),
                Json.read(rs.getString("lora"), Checkpoint.Lora.class), rs.getInt("steps"),
                RunStatus.valueOf(rs.getString("status").toUpperCase()), rs.getString("last_checkpoint"),
                instant(rs, "created_at"), instant(rs, "updated_at"), null);
    }

    private static Row row(ResultSet rs) throws SQLException {
        var path = new CheckpointPath(rs.getString("run_id"), kind(rs.getString("kind")), rs.getString("checkpoint_id"));
        var checkpoint = new Checkpoint(path.toString(), path.checkpointId(), path.kind(), path.runId(), rs.getString("owner"),
                rs.getString("base_model"), Json.read(rs.getString("lora"), Checkpoint.Lora.class), rs.getLong("size_bytes"),
                rs.getBoolean("public"), instant(rs, "created_at"), instant(rs, "expires_at"), rs.getString("attachment"));
        String archive = rs.getString("archive");
        List<StoredFile> files;
        try {
            files = Json.MAPPER.readValue(rs.getString("files"), FILES);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("checkpoint " + path + " has unreadable files: " + e.getMessage(), e);
        }
        return new Row(checkpoint, path, files, archive == null ? null : Json.read(archive, StoredArchive.class));
    }

    private static CheckpointPath.Kind kind(String wire) {
        return "weights".equals(wire) ? CheckpointPath.Kind.WEIGHTS : CheckpointPath.Kind.SAMPLER_WEIGHTS;
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static void key(PreparedStatement ps, CheckpointPath path, int first) throws SQLException {
        ps.setString(first, path.runId());
        ps.setString(first + 1, path.kind().wire());
        ps.setString(first + 2, path.checkpointId());
    }

    private interface Query<T> {
        T run(PreparedStatement ps) throws Exception;
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private int update(String sql, Binder binder) {
        return query(sql, ps -> {
            binder.bind(ps);
            return ps.executeUpdate();
        });
    }

    private <T> T query(String sql, Query<T> query) {
        Blocking.require("CheckpointStore");
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            return query.run(ps);
        } catch (SQLException e) {
            throw unavailable(e);
        } catch (HangarException | IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new HangarException(ErrorCode.ERR_INTERNAL, "reading checkpoints: " + e.getMessage(), e);
        }
    }

    private static HangarException unavailable(SQLException e) {
        return new HangarException(ErrorCode.ERR_UNAVAILABLE, "the gateway database is unavailable: " + e.getMessage(), e);
    }
}
