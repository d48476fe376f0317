package dev.hangar.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.RunStatus;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The run index's CHECK constraints list exactly the wire values of the contracts' enums, as
 * PostgreSQL reads them back: an enum value added without a migration fails here.
 */
@QuarkusTest
class SchemaEnumsTest {
    private static final Pattern QUOTED = Pattern.compile("'([^']*)'::text");
    private static final String ENUM_CHECKS = "V4__run_enum_checks.sql";
    private static final List<String> BEFORE = List.of("V1__runs.sql", "V2__runner_options.sql", "V3__owners.sql");

    @Inject
    AgroalDataSource db;

    @Test
    void runColumnsAllowExactlyTheEnumsWireValues() throws Exception {
        try (Connection c = db.getConnection()) {
            assertEquals(wire(Adapter.values(), Adapter::wire), allowed(c, "runs_adapter_check"));
            assertEquals(wire(Mode.values(), Mode::wire), allowed(c, "runs_mode_check"));
            assertEquals(wire(RunStatus.values(), RunStatus::wire), allowed(c, "runs_status_check"));
        }
    }

    /** The migration runs on a database that already holds runs of every value, and then refuses others. */
    @Test
    void theChecksApplyToATableThatAlreadyHasRows() throws Exception {
        String schema = "enum_checks_" + Long.toString(System.nanoTime(), 36);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (var s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + schema);
                s.execute("SET LOCAL search_path TO " + schema);
                for (String migration : BEFORE) {
                    s.execute(migration(migration));
                }
                int n = 0;
                for (RunStatus status : RunStatus.values()) {
                    for (Adapter adapter : Adapter.values()) {
                        for (Mode mode : Mode.values()) {
                            s.execute("INSERT INTO runs (execution_id, ref, adapter, mode, status) VALUES ('r-" + n++
                                    + "', 'a/b@1', '" + adapter.wire() + "', '" + mode.wire() + "', '" + status.wire() + "')");
                        }
                    }
                }
                s.execute(migration(ENUM_CHECKS));
                var refused = assertThrows(SQLException.class, () -> s.execute(
                        "INSERT INTO runs (execution_id, ref, adapter, mode, status) VALUES ('r-x', 'a/b@1', 'cloud', 'mock', 'queued')"));
                assertEquals("23514", refused.getSQLState(), "a check violation: " + refused.getMessage());
            } finally {
                c.rollback(); // the scratch schema goes with the transaction
            }
        }
    }

    /** The quoted values of a CHECK constraint on {@code runs}, as PostgreSQL prints its definition. */
    static Set<String> allowed(Connection c, String constraint) throws SQLException {
        try (var ps = c.prepareStatement("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                + "WHERE conrelid = 'runs'::regclass AND conname = ?")) {
            ps.setString(1, constraint);
            try (var rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new AssertionError("runs has no constraint " + constraint);
                }
                return QUOTED.matcher(rs.getString(1)).results().map(m -> m.group(1))
                        .collect(Collectors.toCollection(TreeSet::new));
            }
        }
    }

    static <E> Set<String> wire(E[] values, Function<E, String> wire) {
        return Arrays.stream(values).map(wire).collect(Collectors.toCollection(TreeSet::new));
    }

    static String migration(String name) throws IOException {
        try (InputStream in = SchemaEnumsTest.class.getResourceAsStream("/db/migration/" + name)) {
            if (in == null) {
                throw new AssertionError("no migration " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
