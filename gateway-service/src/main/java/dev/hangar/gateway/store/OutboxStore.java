package dev.hangar.gateway.store;

import dev.hangar.contracts.Topics;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * The transactional outbox: records committed with the rows they belong to, waiting for Kafka.
 * Rows are taken with {@code FOR UPDATE SKIP LOCKED}, so replicas relaying at once never take the
 * same row, and deleted in the transaction that took them only once Kafka acknowledged them; a
 * replica that dies mid-publish leaves its rows to the next relay pass (a harmless re-publish:
 * records are keyed by execution id and consumers de-duplicate).
 *
 * <p>A run's command carries its owner and waits for a free slot of the owner's concurrency
 * limit: an owner's rows are released oldest first, at most as many as the owner has slots free,
 * under a per-owner advisory lock, so two replicas never release past the limit together.
 */
@ApplicationScoped
public class OutboxStore {
    /** The advisory lock space of the per-owner release (the other key is the owner's hash). */
    private static final int OWNER_LOCK_SPACE = 0x48414e47; // "HANG"

    private final AgroalDataSource db;

    public OutboxStore(AgroalDataSource db) {
        this.db = db;
    }

    /** One record waiting for Kafka, with the trace context it was committed in (may be null). */
    public record Row(long id, String topic, String key, String payload, String traceparent, String partitionKey) {
        /** The Kafka record key: a training session's id for its runs (one partition, one executor), else the row's key. */
        public String kafkaKey() {
            return partitionKey == null ? key : partitionKey;
        }
    }

    /**
     * A training session's commands go one at a time, in order (docs/training-sessions.md): a row
     * waits while an earlier row of its session is in the outbox or an earlier run of it is in flight.
     */
    private static final String SESSION_IN_ORDER = " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.partition_key = outbox.partition_key "
            + "AND e.id < outbox.id) AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.session_id = outbox.partition_key "
            + "AND r.published_at IS NOT NULL AND r.status IN ('queued', 'running'))";

    /** Publishes rows and answers the ids Kafka acknowledged. Blocking. */
    @FunctionalInterface
    public interface Sender {
        Set<Long> send(List<Row> rows);
    }

    /** Adds a record that is never held (an event, or a command of a run without an owner). */
    static void add(Connection c, String topic, String key, String payload) throws SQLException {
        add(c, topic, key, payload, null, null);
    }

    /** Adds a record; one with an {@code owner} waits for a slot of the owner's limit. */
    static void add(Connection c, String topic, String key, String payload, String owner, String traceparent)
            throws SQLException {
        add(c, topic, key, payload, owner, traceparent, null);
    }

    static void add(Connection c, String topic, String key, String payload, String owner, String traceparent, String partitionKey)
            throws SQLException {
        try (var ps = c.prepareStatement("INSERT INTO outbox (topic, record_key, payload, owner, traceparent, partition_key) "
                + "VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, topic);
            ps.setString(2, key);
            ps.setString(3, payload);
            ps.setString(4, owner);
            ps.setString(5, traceparent);
            ps.setString(6, partitionKey);
            ps.executeUpdate();
        }
    }

    /** Relays the oldest rows that wait for no owner; returns how many were published. */
    public int relay(int limit, Sender sender) {
        return relay(c -> limit, "SELECT id, topic, record_key, payload, traceparent, partition_key FROM outbox WHERE owner IS NULL"
                + SESSION_IN_ORDER + " ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED", null, sender);
    }

    /** The owners with commands waiting. */
    public List<String> waitingOwners() {
        try (Connection c = db.getConnection();
             var ps = c.prepareStatement("SELECT DISTINCT owner FROM outbox WHERE owner IS NOT NULL");
             var rs = ps.executeQuery()) {
            var owners = new ArrayList<String>();
            while (rs.next()) {
                owners.add(rs.getString(1));
            }
            return owners;
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    /**
     * Relays an owner's oldest waiting commands, as many as its limit has slots free (at most
     * {@code batch}); returns how many were published.
     */
    public int relayOwner(String owner, int maxActive, int batch, Sender sender) {
        ToIntFunction<Connection> free = c -> {
            try (var lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
                lock.setInt(1, OWNER_LOCK_SPACE);
                lock.setString(2, owner);
                lock.executeQuery().close();
                return Math.min(batch, maxActive - RunStore.activeOf(c, owner));
            } catch (SQLException e) {
                throw RunStore.unavailable(e);
            }
        };
        return relay(free, "SELECT id, topic, record_key, payload, traceparent, partition_key FROM outbox WHERE owner = ?"
                + SESSION_IN_ORDER + " ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED", owner, sender);
    }

    /**
     * Takes a run's command out of the outbox if it is still there (held, or not yet relayed),
     * inside the caller's transaction; waits for a relay that holds it, so a true answer means it
     * never reached Kafka.
     */
    static boolean withdraw(Connection c, String executionId) throws SQLException {
        try (var ps = c.prepareStatement("DELETE FROM outbox WHERE record_key = ? AND (topic = ? OR topic LIKE ?)")) {
            ps.setString(1, executionId);
            ps.setString(2, Topics.RUNS_REQUESTED);
            ps.setString(3, Topics.RUNS_REQUESTED + ".%"); // a pool's commands (the gateway never writes the DLQ)
            return ps.executeUpdate() > 0;
        }
    }

    /** Rows waiting (a gauge, and for tests). */
    public long pending() {
        return count("SELECT count(*) FROM outbox", null);
    }

    /** Commands of an owner waiting (held or about to be relayed). */
    public long waitingOf(String owner) {
        return count("SELECT count(*) FROM outbox WHERE owner = ?", owner);
    }

    private long count(String sql, String owner) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(sql)) {
            if (owner != null) {
                ps.setString(1, owner);
            }
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    private int relay(ToIntFunction<Connection> limitOf, String select, String owner, Sender sender) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                int limit = limitOf.applyAsInt(c);
                var rows = new ArrayList<Row>();
                if (limit > 0) {
                    try (var ps = c.prepareStatement(select)) {
                        int i = 1;
                        if (owner != null) {
                            ps.setString(i++, owner);
                        }
                        ps.setInt(i, limit);
                        try (var rs = ps.executeQuery()) {
                            while (rs.next()) {
                                rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                        rs.getString(5), rs.getString(6)));
                            }
                        }
                    }
                }
                if (rows.isEmpty()) {
                    c.rollback();
                    return 0;
                }
                Set<Long> acked = sender.send(rows);
                var published = rows.stream().filter(r -> acked.contains(r.id())).toList();
                try (var delete = c.prepareStatement("DELETE FROM outbox WHERE id = ?");
                     var mark = c.prepareStatement("UPDATE runs SET published_at = now() WHERE execution_id = ? "
                             + "AND published_at IS NULL")) {
                    for (Row row : published) {
                        delete.setLong(1, row.id());
                        delete.addBatch();
                        if (Topics.isRunCommands(row.topic())) {
                            mark.setString(1, row.key());
                            mark.addBatch();
                        }
                    }
                    delete.executeBatch();
                    mark.executeBatch();
                }
                c.commit();
                return published.size();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }
}
