package dev.hangar.gateway.store;

import dev.hangar.contracts.AttemptClaim;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.RunStatus;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The attempt counter of each run ({@code run_attempts}). A claim is one transaction that locks
 * the run's row in {@code runs} (when it has one yet) and its counter, so it is ordered with the
 * event consumer's terminal update: a run that has ended is never given another attempt. The
 * executor holding an attempt renews its lease while it runs, so a command handed to a second
 * executor by a rebalance waits instead of running the same run twice at once.
 */
@ApplicationScoped
public class AttemptStore {
    private final AgroalDataSource db;

    public AttemptStore(AgroalDataSource db) {
        this.db = db;
    }

    /**
     * The next attempt of a run. Throws {@link ErrorCode#ERR_RUN_FINISHED} when it has ended and
     * {@link ErrorCode#ERR_ATTEMPTS_EXHAUSTED} when the next attempt would pass {@code max_attempts};
     * the refused attempt is still counted, so each refusal names a number no attempt used.
     */
    public AttemptClaim claim(String executionId, AttemptClaim.Request request) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                RunStatus status = lockedStatus(c, executionId);
                var current = current(c, executionId);
                if ((status == null || !status.terminal()) && current != null) {
                    status = current.ended();
                }
                if (status != null && status.terminal()) {
                    c.rollback();
                    throw new HangarException(ErrorCode.ERR_RUN_FINISHED, "run " + executionId + " has already ended ("
                            + status.wire() + "); a redelivered command of it is not run again");
                }
                if (current != null && current.leased() && !java.util.Objects.equals(current.executorId(), request.executorId())) {
                    c.rollback();
                    throw new HangarException(ErrorCode.ERR_ATTEMPT_RUNNING, "attempt " + current.attempt() + " (executor "
                            + current.executorId() + ") of run " + executionId
                            + " is held by a live executor; claim again once its lease expires");
                }
                int attempt = next(c, executionId, request);
                c.commit();
                if (attempt > request.maxAttempts()) {
                    throw new HangarException(ErrorCode.ERR_ATTEMPTS_EXHAUSTED, "run " + executionId + " would start attempt "
                            + attempt + " but its retry policy allows " + request.maxAttempts());
                }
                return new AttemptClaim(executionId, attempt, request.maxAttempts(), request.executorId());
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    /**
     * Renews the lease of an attempt its executor still holds; false when the attempt is no longer
     * its own (a later attempt was claimed after the lease expired).
     */
    public boolean renew(String executionId, int attempt, String executorId, int leaseSeconds) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("UPDATE run_attempts SET lease_until = "
                + "now() + make_interval(secs => ?) WHERE execution_id = ? AND attempt = ? AND executor_id = ?")) {
            ps.setInt(1, leaseSeconds);
            ps.setString(2, executionId);
            ps.setInt(3, attempt);
            ps.setString(4, executorId);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    /**
     * Records that the executor's attempt has ended with {@code status} (Kafka has its envelope);
     * false when the attempt is not its own.
     */
    public boolean end(String executionId, int attempt, AttemptClaim.Ended ended) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("UPDATE run_attempts SET ended_status = ? "
                + "WHERE execution_id = ? AND attempt = ? AND executor_id = ?")) {
            ps.setString(1, ended.status().wire());
            ps.setString(2, executionId);
            ps.setInt(3, attempt);
            ps.setString(4, ended.executorId());
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    /**
     * The run's current attempt, locked: who holds it, whether its lease is still live, and the end
     * its executor reported before the envelope was consumed; null before the first claim. One
     * statement for both checks (each statement is a round trip inside the claim's transaction).
     */
    private static Current current(Connection c, String executionId) throws SQLException {
        try (var ps = c.prepareStatement("SELECT attempt, executor_id, lease_until > now(), ended_status FROM run_attempts "
                + "WHERE execution_id = ? FOR UPDATE")) {
            ps.setString(1, executionId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String ended = rs.getString(4);
                return new Current(rs.getInt(1), rs.getString(2), rs.getBoolean(3), ended == null ? null : RunStatus.fromWire(ended));
            }
        }
    }

    private record Current(int attempt, String executorId, boolean leased, RunStatus ended) {
    }

    private static RunStatus lockedStatus(Connection c, String executionId) throws SQLException {
        try (var ps = c.prepareStatement("SELECT status FROM runs WHERE execution_id = ? FOR UPDATE")) {
            ps.setString(1, executionId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? RunStatus.fromWire(rs.getString(1)) : null;
            }
        }
    }

    private static int next(Connection c, String executionId, AttemptClaim.Request request) throws SQLException {
        try (var ps = c.prepareStatement("""
                INSERT INTO run_attempts (execution_id, attempt, max_attempts, executor_id, lease_until)
                VALUES (?, 1, ?, ?, now() + make_interval(secs => ?))
                ON CONFLICT (execution_id) DO UPDATE SET attempt = run_attempts.attempt + 1,
                    max_attempts = EXCLUDED.max_attempts, executor_id = EXCLUDED.executor_id, claimed_at = now(),
                    lease_until = EXCLUDED.lease_until
                RETURNING attempt""")) {
            ps.setString(1, executionId);
            ps.setInt(2, request.maxAttempts());
            ps.setString(3, request.executorId());
            ps.setInt(4, request.leaseSeconds());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
