package dev.hangar.gateway.store;

import dev.hangar.contracts.Topics;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The transactional outbox: records committed with the rows they belong to, waiting for Kafka.
 * Rows are taken with {@code FOR UPDATE SKIP LOCKED}, so replicas relaying at once never take the
 * same row, and deleted in the transaction that took them only once Kafka acknowledged them; a
 * replica that dies mid-publish leaves its rows to the next relay pass (a harmless re-publish:
 * records are keyed by execution id and consumers de-duplicate).
 */
@ApplicationScoped
public class OutboxStore {
    private final AgroalDataSource db;

    public OutboxStore(AgroalDataSource db) {
        this.db = db;
    }

    /** One record waiting for Kafka. */
    public record Row(long id, String topic, String key, String payload) {}

    /** Publishes rows and answers the ids Kafka acknowledged. Blocking. */
    @FunctionalInterface
    public interface Sender {
        Set<Long> send(List<Row> rows);
    }

    static void add(Connection c, String topic, String key, String payload) throws SQLException {
        try (var ps = c.prepareStatement("INSERT INTO outbox (topic, record_key, payload) VALUES (?, ?, ?)")) {
            ps.setString(1, topic);
            ps.setString(2, key);
            ps.setString(3, payload);
            ps.executeUpdate();
        }
    }

    /** Relays the oldest rows nobody else holds; returns how many were published. */
    public int relay(int limit, Sender sender) {
        return relay("SELECT id, topic, record_key, payload FROM outbox ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED",
                limit, null, sender);
    }

    /** Relays the rows of one record key (a submission's own command) unless another relay holds them. */
    public int relayKey(String key, Sender sender) {
        return relay("SELECT id, topic, record_key, payload FROM outbox WHERE record_key = ? ORDER BY id LIMIT ? "
                + "FOR UPDATE SKIP LOCKED", 100, key, sender);
    }

    /** Rows waiting (a gauge, and for tests). */
    public long pending() {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("SELECT count(*) FROM outbox");
             var rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw RunStore.unavailable(e);
        }
    }

    private int relay(String select, int limit, String key, Sender sender) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                var rows = new ArrayList<Row>();
                try (var ps = c.prepareStatement(select)) {
                    int i = 1;
                    if (key != null) {
                        ps.setString(i++, key);
                    }
                    ps.setInt(i, limit);
                    try (var rs = ps.executeQuery()) {
                        while (rs.next()) {
                            rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
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
                        if (Topics.RUNS_REQUESTED.equals(row.topic())) {
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
