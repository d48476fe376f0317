package dev.hangar.gateway.store;

import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunStatus;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link RunStore#apply} for a whole batch with a few set-based statements instead of several per
 * event: the batch's runs are locked with one select (in execution-id order, so replicas applying
 * overlapping batches cannot deadlock), the events already stored found with one, the new ones
 * inserted with one; only events that change a run's state (started, queued, the end) are then
 * applied one by one. Every replica reaches the same outcome per event as {@link RunStore#apply}.
 */
final class EventBatch {
    private EventBatch() {}

    private record Key(String executionId, int attempt, long seq) {
        static Key of(RunEvent e) {
            return new Key(e.executionId(), e.attempt(), e.seq());
        }
    }

    private record Run(RunStatus status, String owner) {}

    static List<RunStore.Applied> apply(Connection c, List<RunEvent> events) throws SQLException {
        Integer[] order = new Integer[events.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparing(i -> events.get(i).executionId())); // stable: a run's events keep their order
        Map<String, Run> runs = lock(c, events);
        Set<Key> stored = stored(c, events);
        var outcome = new RunStore.Outcome[events.size()];
        var candidates = new ArrayList<Integer>();
        var seen = new HashSet<Key>();
        var ended = new HashSet<String>();
        for (int i : order) {
            RunEvent event = events.get(i);
            Key key = Key.of(event);
            Run run = runs.get(event.executionId());
            if (stored.contains(key) || !seen.add(key)) {
                outcome[i] = RunStore.Outcome.KNOWN;
            } else if ((run != null && run.status().terminal()) || ended.contains(event.executionId())) {
                outcome[i] = RunStore.Outcome.IGNORED;
            } else {
                candidates.add(i);
                if (event.event() instanceof RunEvent.Terminal) {
                    ended.add(event.executionId());
                }
            }
        }
        Set<Key> inserted = insert(c, candidates.stream().map(events::get).toList());
        for (int i : candidates) {
            RunEvent event = events.get(i);
            if (!inserted.contains(Key.of(event))) {
                outcome[i] = RunStore.Outcome.KNOWN; // a replica stored it meanwhile (a run without a row yet)
                continue;
            }
            outcome[i] = RunStore.Outcome.STORED;
            RunStore.upsertRun(c, event); // a no-op without a statement for logs, tokens, progress, outputs
        }
        var applied = new ArrayList<RunStore.Applied>(events.size());
        for (int i = 0; i < events.size(); i++) {
            Run run = runs.get(events.get(i).executionId());
            applied.add(new RunStore.Applied(outcome[i], run == null ? null : run.owner()));
        }
        return applied;
    }

    private static Map<String, Run> lock(Connection c, List<RunEvent> events) throws SQLException {
        var runs = new HashMap<String, Run>();
        try (var ps = c.prepareStatement("SELECT execution_id, status, owner FROM runs WHERE execution_id = ANY(?) "
                + "ORDER BY execution_id FOR UPDATE")) {
            ps.setArray(1, c.createArrayOf("text", events.stream().map(RunEvent::executionId).distinct().toArray()));
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    runs.put(rs.getString(1), new Run(RunStatus.fromWire(rs.getString(2)), rs.getString(3)));
                }
            }
        }
        return runs;
    }

    private static Set<Key> stored(Connection c, List<RunEvent> events) throws SQLException {
        try (var ps = c.prepareStatement("SELECT e.execution_id, e.attempt, e.seq FROM run_events e "
                + "JOIN unnest(?::text[], ?::int[], ?::bigint[]) AS k(id, attempt, seq) "
                + "ON e.execution_id = k.id AND e.attempt = k.attempt AND e.seq = k.seq")) {
            keys(c, ps, events);
            return read(ps);
        }
    }

    private static Set<Key> insert(Connection c, List<RunEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return Set.of();
        }
        try (var ps = c.prepareStatement("INSERT INTO run_events (execution_id, attempt, seq, body) "
                + "SELECT * FROM unnest(?::text[], ?::int[], ?::bigint[], ?::jsonb[]) ON CONFLICT DO NOTHING "
                + "RETURNING execution_id, attempt, seq")) {
            keys(c, ps, events);
            ps.setArray(4, c.createArrayOf("text", events.stream().map(Json::write).toArray()));
            return read(ps);
        }
    }

    private static void keys(Connection c, java.sql.PreparedStatement ps, List<RunEvent> events) throws SQLException {
        Array ids = c.createArrayOf("text", events.stream().map(RunEvent::executionId).toArray());
        Array attempts = c.createArrayOf("int4", events.stream().map(RunEvent::attempt).toArray());
        Array seqs = c.createArrayOf("int8", events.stream().map(RunEvent::seq).toArray());
        ps.setArray(1, ids);
        ps.setArray(2, attempts);
        ps.setArray(3, seqs);
    }

    private static Set<Key> read(java.sql.PreparedStatement ps) throws SQLException {
        var keys = new HashSet<Key>();
        try (var rs = ps.executeQuery()) {
            while (rs.next()) {
                keys.add(new Key(rs.getString(1), rs.getInt(2), rs.getLong(3)));
            }
        }
        return keys;
    }
}
