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
 * event consumer's terminal update: a run that has ended is never given another attempt.
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
                if (status != null && status.terminal()) {
                    c.rollback();
                    throw new HangarException(ErrorCode.ERR_RUN_FINISHED, "run " + executionId + " has already ended ("
                            + status.wire() + "); a redelivered command of it is not run again");
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
                INSERT INTO run_attempts (execution_id, attempt, max_attempts, executor_id) VALUES (?, 1, ?, ?)
                ON CONFLICT (execution_id) DO UPDATE SET attempt = run_attempts.attempt + 1,
                    max_attempts = EXCLUDED.max_attempts, executor_id = EXCLUDED.executor_id, claimed_at = now()
                RETURNING attempt""")) {
            ps.setString(1, executionId);
            ps.setInt(2, request.maxAttempts());
            ps.setString(3, request.executorId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
