package dev.hangar.gateway.store;

import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.RunDetail;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunQueue;
import dev.hangar.contracts.RunStatus;
import dev.hangar.contracts.RunSummary;
import dev.hangar.contracts.Topics;
import dev.hangar.gateway.config.OwnerLimits;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The run index in PostgreSQL. All SQL of the gateway is here; callers run on worker threads.
 * Status changes follow {@link RunStatus#canMoveTo}, so late or repeated events cannot move a
 * finished run backwards.
 */
@ApplicationScoped
public class RunStore {
    private final AgroalDataSource db;
    private final OwnerLimits limits;

    public RunStore(AgroalDataSource db, OwnerLimits limits) {
        this.db = db;
        this.limits = limits;
    }

    /**
     * What a submission stores: the run, and its command for the outbox ({@code command} is the
     * record's JSON, {@code traceparent} the submission's trace context).
     */
    public record NewRun(String owner, String executionId, ProcessorRef ref, Adapter adapter, Mode mode, String idempotencyKey,
                         String plan, double ceiling, double defaultPlanLimit, int timeoutSeconds, String command,
                         String traceparent, String session, String sessionOp, String pool, Integer capacityWaitSeconds, String env) {
        /** A run for the default executors (no pool) and of no deployment environment. */
        public NewRun(String owner, String executionId, ProcessorRef ref, Adapter adapter, Mode mode, String idempotencyKey,
                      String plan, double ceiling, double defaultPlanLimit, int timeoutSeconds, String command,
                      String traceparent, String session, String sessionOp) {
            this(owner, executionId, ref, adapter, mode, idempotencyKey, plan, ceiling, defaultPlanLimit, timeoutSeconds, command,
                    traceparent, session, sessionOp, null, null, null);
        }

        /** The topic of its command: its pool's, or the default executors'. */
        public String topic() {
            return pool == null ? Topics.RUNS_REQUESTED : Topics.runsRequested(pool);
        }

        /** A run of no training session. */
        public NewRun(String owner, String executionId, ProcessorRef ref, Adapter adapter, Mode mode, String idempotencyKey,
                      String plan, double ceiling, double defaultPlanLimit, int timeoutSeconds, String command, String traceparent) {
            this(owner, executionId, ref, adapter, mode, idempotencyKey, plan, ceiling, defaultPlanLimit, timeoutSeconds, command,
                    traceparent, null, null);
        }
    }

    /**
     * Records a submitted run as queued, holding its worst-case cost on its plan, and puts its
     * command in the outbox, in one transaction: either both exist or neither does. Returns the id
     * of an earlier run with the same idempotency key instead, if any.
     */
    public Optional<String> insertQueued(NewRun run) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (run.idempotencyKey() != null) {
                    var existing = byIdempotencyKey(c, run.owner(), run.idempotencyKey());
                    if (existing.isPresent()) {
                        c.rollback();
                        return existing;
                    }
                }
                if (run.plan() != null) {
                    PlanStore.reserve(c, run.owner(), run.plan(), run.ceiling(), run.defaultPlanLimit());
                }
                try (var ps = c.prepareStatement("INSERT INTO runs (execution_id, ref, adapter, mode, status, idempotency_key, "
                        + "plan, reserved, owner, timeout_seconds, session_id, session_op, pool, capacity_wait_seconds, env) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, run.executionId());
                    ps.setString(2, run.ref().toString());
                    ps.setString(3, run.adapter().wire());
                    ps.setString(4, run.mode().wire());
                    ps.setString(5, RunStatus.QUEUED.wire());
                    ps.setString(6, run.idempotencyKey());
                    ps.setString(7, run.plan());
                    ps.setDouble(8, run.plan() == null ? 0 : run.ceiling());
                    ps.setString(9, run.owner());
                    ps.setInt(10, run.timeoutSeconds());
                    ps.setString(11, run.session());
                    ps.setString(12, run.sessionOp());
                    ps.setString(13, run.pool());
                    ps.setObject(14, run.capacityWaitSeconds(), java.sql.Types.INTEGER);
                    ps.setString(15, run.env());
                    ps.executeUpdate();
                }
                OutboxStore.add(c, run.topic(), run.executionId(), run.command(), run.owner(), run.traceparent(),
                        run.session());
                c.commit();
                return Optional.empty();
            } catch (SQLException e) {
                c.rollback();
                if ("23505".equals(e.getSQLState()) && run.idempotencyKey() != null) {
                    return byIdempotencyKey(c, run.owner(), run.idempotencyKey()); // a concurrent twin won the race
                }
                throw e;
            } catch (RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private static Optional<String> byIdempotencyKey(Connection c, String owner, String key) throws SQLException {
        try (var ps = c.prepareStatement("SELECT execution_id FROM runs WHERE owner = ? AND idempotency_key = ?")) {
            ps.setString(1, owner);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** The run an idempotency key already started, if any. */
    public Optional<String> findIdempotent(String owner, String key) {
        try (Connection c = db.getConnection()) {
            return byIdempotencyKey(c, owner, key);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** Who a run belongs to; empty for an unknown run or one written straight to the bus. */
    public Optional<String> owner(String executionId) {
        return sql("SELECT owner FROM runs WHERE execution_id = ?", ps -> {
            ps.setString(1, executionId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        });
    }

    /** The deployment environment a run runs in; empty for a run of none (or an unknown run). */
    public Optional<String> env(String executionId) {
        return sql("SELECT env FROM runs WHERE execution_id = ?", ps -> {
            ps.setString(1, executionId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        });
    }

    /** The runs of an owner's ref in an environment created after {@code since}, oldest first (deploy logs). */
    public List<String> runsIn(String owner, ProcessorRef ref, String env, java.time.Instant since, int limit) {
        return sql("SELECT execution_id FROM runs WHERE owner = ? AND env = ? AND ref = ? AND created_at > ? "
                + "ORDER BY created_at LIMIT ?", ps -> {
            ps.setString(1, owner);
            ps.setString(2, env);
            ps.setString(3, ref.toString());
            ps.setTimestamp(4, java.sql.Timestamp.from(since));
            ps.setInt(5, limit);
            var ids = new ArrayList<String>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        });
    }

    /** The run's mode; empty for an unknown run. */
    public Optional<Mode> mode(String executionId) {
        return sql("SELECT mode FROM runs WHERE execution_id = ?", ps -> {
            ps.setString(1, executionId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Mode.fromWire(rs.getString(1))) : Optional.empty();
            }
        });
    }

    /** Runs an owner may see: its own only (a run without an owner, written straight to the executors' topic, is nobody's). */
    static final String VISIBLE = " AND owner = ?";

    /** The state of a run the owner may see, if it exists. */
    public Optional<RunStatus> status(String executionId, String owner) {
        return sql("SELECT status FROM runs WHERE execution_id = ?" + VISIBLE, ps -> {
            ps.setString(1, executionId);
            ps.setString(2, owner);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(RunStatus.fromWire(rs.getString(1))) : Optional.empty();
            }
        });
    }

    /** What {@link #apply} did with an event. */
    public enum Outcome {
        /** Stored now, by this replica. */
        STORED,
        /** Stored before (by another replica, or this one before a redelivery): still every replica's to fan out. */
        KNOWN,
        /** Not stored: its run had already ended (a late event, or the executor's end after the sweeper's). */
        IGNORED;

        /** Whether subscribers should see the event. */
        public boolean deliverable() {
            return this != IGNORED;
        }
    }

    /** An event's outcome and its run's owner (null for a run submitted on the bus). */
    public record Applied(Outcome outcome, String owner) {}

    /**
     * Stores an event once and applies it to the run (creating the run if it came in through
     * the bus). Events of one run arrive on one partition in the same order at every replica, and
     * a run only ever moves towards an end, so every replica reaches the same outcome.
     */
    public Applied apply(RunEvent event) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                Outcome outcome = apply(c, event);
                String owner = owner(c, event.executionId());
                c.commit();
                return new Applied(outcome, owner);
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /**
     * {@link #apply} for a batch of events in one transaction and a few set-based statements
     * ({@link EventBatch}): per-event commits and round trips were the ingest path's largest cost.
     * Answers each event's outcome in the order given.
     */
    public List<Applied> applyAll(List<RunEvent> events) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                var applied = EventBatch.apply(c, events);
                c.commit();
                return applied;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** {@link #apply} inside the caller's transaction (also used by the sweeper). */
    static Outcome apply(Connection c, RunEvent event) throws SQLException {
        // Lock the run row first: a replica applying the same event waits here, then sees it stored
        // (checking before the lock would let it see its own terminal event's end and ignore it).
        RunStatus current = currentStatus(c, event.executionId());
        if (stored(c, event)) {
            return Outcome.KNOWN;
        }
        if (current != null && current.terminal()) {
            return Outcome.IGNORED;
        }
        if (!insertEvent(c, event)) {
            return Outcome.KNOWN; // a replica stored it meanwhile (the insert waited for its commit)
        }
        upsertRun(c, event);
        return Outcome.STORED;
    }

    private static boolean stored(Connection c, RunEvent event) throws SQLException {
        try (var ps = c.prepareStatement("SELECT 1 FROM run_events WHERE execution_id = ? AND attempt = ? AND seq = ?")) {
            ps.setString(1, event.executionId());
            ps.setInt(2, event.attempt());
            ps.setLong(3, event.seq());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String owner(Connection c, String executionId) throws SQLException {
        try (var ps = c.prepareStatement("SELECT owner FROM runs WHERE execution_id = ?")) {
            ps.setString(1, executionId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    static boolean insertEvent(Connection c, RunEvent event) throws SQLException {
        try (var ps = c.prepareStatement("INSERT INTO run_events (execution_id, attempt, seq, body) VALUES (?, ?, ?, ?::jsonb) "
                + "ON CONFLICT DO NOTHING")) {
            ps.setString(1, event.executionId());
            ps.setInt(2, event.attempt());
            ps.setLong(3, event.seq());
            ps.setString(4, Json.write(event));
            return ps.executeUpdate() == 1;
        }
    }

    static void upsertRun(Connection c, RunEvent event) throws SQLException {
        RunStatus next;
        String ref;
        Adapter adapter;
        Mode mode;
        Envelope envelope = null;
        switch (event.event()) {
            case RunEvent.Started s -> {
                next = RunStatus.RUNNING;
                ref = s.ref().toString();
                adapter = s.adapter();
                mode = s.mode();
            }
            case RunEvent.Queued q -> {
                next = RunStatus.QUEUED;
                ref = q.ref().toString();
                adapter = q.adapter();
                mode = q.mode();
            }
            case RunEvent.Terminal t -> {
                envelope = t.envelope();
                next = envelope.status();
                var meta = envelope.meta();
                ref = meta == null ? "unknown" : meta.ref();
                adapter = meta == null || meta.adapter() == null ? Adapter.DEFAULT : meta.adapter();
                mode = meta == null || meta.mode() == null ? Mode.DEFAULT : meta.mode();
            }
            default -> {
                return; // logs, tokens, progress and outputs do not change the run's state
            }
        }
        if (event.event() instanceof RunEvent.Queued q && q.waiting() != null) {
            // an executor's backend queues the run (a Slurm job PENDING): where, for the run's queue
            try (var ps = c.prepareStatement("UPDATE runs SET queue_waiting = ? WHERE execution_id = ? AND status = 'queued'")) {
                ps.setString(1, q.waiting().length() > 500 ? q.waiting().substring(0, 500) : q.waiting());
                ps.setString(2, event.executionId());
                ps.executeUpdate();
            }
        }
        if (event.event() instanceof RunEvent.Started) {
            // each attempt gets its whole timeout before the sweeper gives up on it
            try (var ps = c.prepareStatement("UPDATE runs SET started_at = now() WHERE execution_id = ?")) {
                ps.setString(1, event.executionId());
                ps.executeUpdate();
            }
        }
        RunStatus current = currentStatus(c, event.executionId());
        if (current == null) {
            try (var ps = c.prepareStatement("INSERT INTO runs (execution_id, ref, adapter, mode, status, envelope, started_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?::jsonb, now()) ON CONFLICT DO NOTHING")) {
                ps.setString(1, event.executionId());
                ps.setString(2, ref);
                ps.setString(3, adapter.wire());
                ps.setString(4, mode.wire());
                ps.setString(5, next.wire());
                ps.setString(6, envelope == null ? null : Json.write(envelope));
                ps.executeUpdate();
            }
        } else if (current.canMoveTo(next)) {
            try (var ps = c.prepareStatement("UPDATE runs SET status = ?, envelope = COALESCE(?::jsonb, envelope), "
                    + "updated_at = now() WHERE execution_id = ?")) {
                ps.setString(1, next.wire());
                ps.setString(2, envelope == null ? null : Json.write(envelope));
                ps.setString(3, event.executionId());
                ps.executeUpdate();
            }
            if (next.terminal()) {
                Double cost = envelope.meta() == null ? null : envelope.meta().cost();
                PlanStore.charge(c, event.executionId(), cost == null ? 0 : cost);
            }
        }
    }

    static RunStatus currentStatus(Connection c, String executionId) throws SQLException {
        try (var ps = c.prepareStatement("SELECT status FROM runs WHERE execution_id = ? FOR UPDATE")) {
            ps.setString(1, executionId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? RunStatus.fromWire(rs.getString(1)) : null;
            }
        }
    }

    /** The run with, once it has ended, its envelope, and while it is queued, where it waits. */
    public Optional<RunDetail> find(String executionId, String owner) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("SELECT r.execution_id, r.ref, r.status, r.adapter, "
                + "r.mode, r.created_at, r.updated_at, r.published_at, r.pool, r.capacity_wait_seconds, r.queue_waiting, r.envelope, (SELECT count(*) FROM outbox w WHERE w.owner = r.owner "
                + "AND w.id <= o.id) AS position FROM runs r LEFT JOIN outbox o ON o.record_key = r.execution_id "
                + "AND o.owner = r.owner WHERE r.execution_id = ? AND r.owner = ?")) {
            ps.setString(1, executionId);
            ps.setString(2, owner);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String envelope = rs.getString("envelope");
                if (envelope != null) {
                    return Optional.of(RunDetail.of(Json.read(envelope, Envelope.class)));
                }
                RunSummary summary = summary(rs);
                return Optional.of(RunDetail.of(summary.status() == RunStatus.QUEUED
                        ? summary.withQueue(queue(rs, activeOf(c, owner), limits.of(owner))) : summary));
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** Newest first; a queued run says where it waits. */
    public List<RunSummary> list(String owner, int limit) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("WITH waiting AS (SELECT record_key, "
                + "row_number() OVER (ORDER BY id) AS position FROM outbox WHERE owner = ?) "
                + "SELECT execution_id, ref, status, adapter, mode, created_at, updated_at, published_at, pool, "
                + "capacity_wait_seconds, queue_waiting, w.position "
                + "FROM runs r LEFT JOIN waiting w ON w.record_key = r.execution_id "
                + "WHERE TRUE" + VISIBLE + " ORDER BY created_at DESC LIMIT ?")) {
            ps.setString(1, owner);
            ps.setString(2, owner);
            ps.setInt(3, limit);
            var rows = new ArrayList<RunSummary>();
            Integer active = null;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    RunSummary summary = summary(rs);
                    if (summary.status() == RunStatus.QUEUED) {
                        active = active == null ? activeOf(c, owner) : active;
                        summary = summary.withQueue(queue(rs, active, limits.of(owner)));
                    }
                    rows.add(summary);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /**
     * Where a queued run of the current row waits: its command still in the outbox is held while
     * the runs ahead of it fill the owner's free slots, then on its way; once relayed, on Kafka.
     */
    private static RunQueue queue(ResultSet rs, int active, int limit) throws SQLException {
        long position = rs.getLong("position");
        boolean waiting = !rs.wasNull() && position > 0;
        Instant created = rs.getTimestamp("created_at").toInstant();
        var published = rs.getTimestamp("published_at");
        long queuedFor = Math.max(0, Duration.between(created, Instant.now()).toMillis());
        String pool = rs.getString("pool");
        if (waiting) {
            var state = position > limit - active ? RunQueue.State.HELD_OWNER_LIMIT : RunQueue.State.DISPATCHING;
            return new RunQueue(state, (int) position, active, limit, created, queuedFor, pool, null);
        }
        Instant since = published == null ? created : published.toInstant();
        int wait = rs.getInt("capacity_wait_seconds");
        // a pool run's capacity deadline starts when its command reaches the pool's topic (RunSweeper)
        Instant deadline = pool == null || rs.wasNull() ? null : since.plusSeconds(wait);
        return new RunQueue(RunQueue.State.DISPATCHED, null, active, limit, since, queuedFor, pool, deadline,
                rs.getString("queue_waiting"));
    }

    /** The owner's runs dispatched to Kafka and not yet ended: what its concurrency limit counts. */
    static int activeOf(Connection c, String owner) throws SQLException {
        try (var ps = c.prepareStatement("SELECT count(*) FROM runs WHERE owner = ? AND status IN ('queued', 'running') "
                + "AND published_at IS NOT NULL")) {
            ps.setString(1, owner);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * Ends a run whose command never reached Kafka (held, or not yet relayed) with {@code canceled},
     * stored and put in the outbox for every replica's subscribers, in one transaction. False when
     * the command had already been relayed: then only the executors can stop it.
     */
    public boolean cancelUndispatched(String executionId, RunEvent canceled) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                // the outbox row first, as the relay takes it: waits for a relay holding it
                if (!OutboxStore.withdraw(c, executionId)) {
                    c.rollback();
                    return false;
                }
                if (apply(c, canceled) == Outcome.STORED) {
                    OutboxStore.add(c, Topics.RUNS_EVENTS, executionId, Json.write(canceled));
                }
                c.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /**
     * One page of a run's stored events after a position, in order, for replay: keyset
     * pagination on the primary key, so a long run is never read whole.
     */
    public List<RunEvent> eventsAfter(String executionId, int attempt, long seq, int limit) {
        return sql("SELECT body FROM run_events WHERE execution_id = ? AND (attempt, seq) > (?, ?) "
                + "ORDER BY attempt, seq LIMIT ?", ps -> {
            ps.setString(1, executionId);
            ps.setInt(2, attempt);
            ps.setLong(3, seq);
            ps.setInt(4, limit);
            var events = new ArrayList<RunEvent>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events.add(Json.read(rs.getString(1), RunEvent.class));
                }
            }
            return events;
        });
    }

    private static RunSummary summary(ResultSet rs) throws SQLException {
        String ref = rs.getString("ref");
        ProcessorRef parsed;
        try {
            parsed = ProcessorRef.parse(ref);
        } catch (HangarException e) {
            parsed = null; // a bus-submitted run with a ref we could not read
        }
        return new RunSummary(rs.getString("execution_id"), parsed, RunStatus.fromWire(rs.getString("status")),
                Adapter.fromWire(rs.getString("adapter")), Mode.fromWire(rs.getString("mode")),
                rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant(), null);
    }

    private interface Statement<T> {
        T run(PreparedStatement ps) throws SQLException;
    }

    private <T> T sql(String sql, Statement<T> body) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            return body.run(ps);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    public static HangarException unavailable(SQLException e) {
        return new HangarException(ErrorCode.ERR_UNAVAILABLE, "the run database is unavailable: " + e.getMessage(), e);
    }
}
