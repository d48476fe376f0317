package dev.hangar.gateway.fault;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;

/**
 * A PostgreSQL cluster of the test's own (initdb into a temp folder as the postgres user, on a
 * free 127.0.0.1 port), so it can be stopped and started without touching the shared one.
 * Trust authentication: it listens on loopback only and lives for one test class.
 */
final class PrivatePostgres implements AutoCloseable {
    private static final String BIN = System.getenv().getOrDefault("HANGAR_PG_BIN", "/usr/lib/postgresql/15/bin");
    private final Path dir;
    final int port;

    PrivatePostgres(Path parent) throws Exception {
        this.dir = parent.resolve("pg");
        this.port = Processes.freePort();
        Processes.run(List.of("mkdir", "-p", dir.toString()));
        Processes.run(List.of("chown", "-R", "postgres", parent.toString()));
        asPostgres(BIN + "/initdb", "-D", dir.resolve("data").toString(), "-U", "hangar", "--auth=trust", "-E", "UTF8");
        start();
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "hangar", "hangar")) {
            c.createStatement().execute("CREATE DATABASE hangar_gateway");
        }
    }

    private static void asPostgres(String... command) throws Exception {
        var full = new java.util.ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(List.of(command));
        Processes.run(full);
    }

    /**
     * A run of {@code owner}'s as a submission leaves it (without its command: the test plays the
     * executor and publishes the events itself). A run nobody owns is visible to nobody.
     */
    String ownedRun(String executionId, String owner) throws Exception {
        try (var c = DriverManager.getConnection(jdbcUrl(), "hangar", "hangar"); var ps = c.prepareStatement(
                "INSERT INTO runs (execution_id, ref, adapter, mode, status, owner) VALUES (?, ?, 'local', 'mock', 'queued', ?)")) {
            ps.setString(1, executionId);
            ps.setString(2, Bus.REF.toString());
            ps.setString(3, owner);
            ps.executeUpdate();
        }
        return executionId;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/hangar_gateway";
    }

    void start() throws Exception {
        asPostgres(BIN + "/pg_ctl", "-D", dir.resolve("data").toString(), "-w", "-l", dir.resolve("pg.log").toString(),
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
    }

    /** Stops at once (no checkpoint), as a crash would; open connections break. */
    void stop() throws Exception {
        asPostgres(BIN + "/pg_ctl", "-D", dir.resolve("data").toString(), "-w", "-m", "immediate", "stop");
    }

    @Override
    public void close() throws Exception {
        try {
            stop();
        } catch (Exception e) {
            // already stopped
        }
    }
}
