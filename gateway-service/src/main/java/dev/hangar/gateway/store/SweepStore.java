package dev.hangar.gateway.store;

import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunStatus;
import dev.hangar.contracts.Topics;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Function;

/**
 * Finds runs that nobody will end and ends them: each overdue run's terminal event is stored and
 * put in the outbox in one transaction, so every replica's consumer fans it out exactly as it
 * would an executor's. Rows are taken with {@code FOR UPDATE SKIP LOCKED}, so replicas sweeping
 * at once never end the same run twice; a late event of a swept run is then ignored
 * ({@link RunStore.Outcome#IGNORED}).
 */
@ApplicationScoped
public class SweepStore {
    private final AgroalDataSource db;

    public SweepStore(AgroalDataSource db) {
        this.db = db;
    }

    /** A run past its deadline: what the sweeper needs to write its envelope. */
    public record Overdue(String executionId, String ref, Adapter adapter, Mode mode, RunStatus status, String plan,
                          int attempt, Integer timeoutSeconds, String pool, Integer capacityWaitSeconds) {
        /** A queued run of a pool that no executor of the pool started in time: ERR_NO_CAPACITY, not a lost run. */
        public boolean noCapacity() {
            return status == RunStatus.QUEUED && pool != null;
        }
    }

    /** How long runs may wait and run before they are overdue. */
    public record Deadlines(Duration queue, Duration grace, Duration defaultTimeout, Duration capacityWait) {
        /** Without pools (the capacity wait is then never used). */
        public Deadlines(Duration queue, Duration grace, Duration defaultTimeout) {
            this(queue, grace, defaultTimeout, queue);
        }
    }

    private static final String OVERDUE = "SELECT execution_id, ref, adapter, mode, status, plan, timeout_seconds, pool, "
            + "capacity_wait_seconds, "
            + "(SELECT COALESCE(MAX(e.attempt), 1) FROM run_events e WHERE e.execution_id = r.execution_id) AS attempt "
            + "FROM runs r WHERE (status = 'queued' "
            // a command still in the outbox has not reached any executor: its wait starts when it does
            + "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.record_key = r.execution_id) "
            // a pool's run waits up to its capacity deadline, every other one up to the queue deadline
            + "AND COALESCE(published_at, created_at) < now() - make_interval(secs => "
            + "CASE WHEN pool IS NOT NULL THEN COALESCE(capacity_wait_seconds, ?) ELSE ? END "
            // an executor that took it and queues it in its backend (Slurm) ends it at the deadline with the backend's
            // reason; the sweeper steps in only a grace later (that executor was lost)
            + "+ CASE WHEN pool IS NOT NULL AND queue_waiting IS NOT NULL THEN ? ELSE 0 END)) "
            + "OR (status = 'running' AND COALESCE(started_at, updated_at) "
            + "+ make_interval(secs => COALESCE(timeout_seconds, ?) + ?) < now()) "
            + "ORDER BY updated_at LIMIT ? FOR UPDATE OF r SKIP LOCKED";

    /** Ends up to {@code limit} overdue runs with the event {@code terminal} makes; returns how many. */
    public int endOverdue(Deadlines deadlines, int limit, Function<Overdue, RunEvent> terminal) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                int ended = 0;
                try (var ps = c.prepareStatement(OVERDUE)) {
                    ps.setDouble(1, deadlines.capacityWait().toMillis() / 1000.0);
                    ps.setDouble(2, deadlines.queue().toMillis() / 1000.0);
                    ps.setDouble(3, deadlines.grace().toMillis() / 1000.0);
                    ps.setLong(4, deadlines.defaultTimeout().toSeconds());
                    ps.setDouble(5, deadlines.grace().toMillis() / 1000.0);
                    ps.setInt(6, limit);
                    var due = new java.util.ArrayList<Overdue>();
                    try (var rs = ps.executeQuery()) {
                        while (rs.next()) {
                            due.add(new Overdue(rs.getString("execution_id"), rs.getString("ref"),
                                    Adapter.fromWire(rs.getString("adapter")), Mode.fromWire(rs.getString("mode")),
                                    RunStatus.fromWire(rs.getString("status")), rs.getString("plan"), rs.getInt("attempt"),
                                    (Integer) rs.getObject("timeout_seconds"), rs.getString("pool"),
                                    (Integer) rs.getObject("capacity_wait_seconds")));
                        }
                    }
                    for (Overdue run : due) {
                        RunEvent event = terminal.apply(run);
                        if (RunStore.apply(c, event) == RunStore.Outcome.STORED) {
                            OutboxStore.add(c, Topics.RUNS_EVENTS, run.executionId(), Json.write(event));
                            ended++;
                        }
                    }
                }
                c.commit();
                return ended;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }
}
