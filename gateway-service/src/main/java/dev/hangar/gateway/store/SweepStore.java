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
                          int attempt, Integer timeoutSeconds) {}

    /** How long runs may wait and run before they are overdue. */
    public record Deadlines(Duration queue, Duration grace, Duration defaultTimeout) {}

    private static final String OVERDUE = "SELECT execution_id, ref, adapter, mode, status, plan, timeout_seconds, "
            + "(SELECT COALESCE(MAX(e.attempt), 1) FROM run_events e WHERE e.execution_id = r.execution_id) AS attempt "
            + "FROM runs r WHERE (status = 'queued' "
            // a command still in the outbox has not reached any executor: its wait starts when it does
            + "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.record_key = r.execution_id) "
            + "AND COALESCE(published_at, created_at) < now() - make_interval(secs => ?)) "
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
                    ps.setDouble(1, deadlines.queue().toMillis() / 1000.0);
                    ps.setLong(2, deadlines.defaultTimeout().toSeconds());
                    ps.setDouble(3, deadlines.grace().toMillis() / 1000.0);
                    ps.setInt(4, limit);
                    var due = new java.util.ArrayList<Overdue>();
                    try (var rs = ps.executeQuery()) {
                        while (rs.next()) {
                            due.add(new Overdue(rs.getString("execution_id"), rs.getString("ref"),
                                    Adapter.fromWire(rs.getString("adapter")), Mode.fromWire(rs.getString("mode")),
                                    RunStatus.fromWire(rs.getString("status")), rs.getString("plan"), rs.getInt("attempt"),
                                    (Integer) rs.getObject("timeout_seconds")));
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
