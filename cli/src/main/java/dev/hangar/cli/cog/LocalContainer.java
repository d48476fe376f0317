package dev.hangar.cli.cog;

import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.runtime.client.Health;
import dev.hangar.runtime.client.RuntimeClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A project image's runtime, started on this host locked down as the executor starts one: no
 * network, read-only root, every capability dropped, no new privileges, uid 10001, {@code /tmp} a
 * tmpfs, and a run folder of its own mounted at {@code /hangar/io} where the runtime's unix socket
 * appears. The container is removed when this is closed.
 */
public final class LocalContainer implements AutoCloseable {
    public static final Duration SETUP_TIMEOUT = Duration.ofMinutes(10);

    private final String id;
    private final Path folder;
    private Process logs;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private LocalContainer(String id, Path folder) {
        this.id = id;
        this.folder = folder;
    }

    /** Starts {@code image}'s runtime with {@code env} ({@code NAME=value}) added. */
    public static LocalContainer start(String image, List<String> env) {
        Path folder;
        try {
            folder = Files.createTempDirectory("hangar-run-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx")); // umask-proof: uid 10001 writes here
            Path outputs = Files.createDirectory(folder.resolve("outputs"));
            Files.setPosixFilePermissions(outputs, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_UNAVAILABLE, "cannot make a run folder: " + e.getMessage(), e);
        }
        List<String> cmd = new ArrayList<>(List.of("docker", "run", "-d", "--network", "none", "--read-only",
                "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--user", "10001:10001",
                "--pids-limit", "512", "--tmpfs", "/tmp:rw,nosuid,nodev,size=256m", "--label", "dev.hangar.cli=local",
                "-v", folder + ":/hangar/io", "-e", "HANGAR_MODE=mock"));
        for (String e : env) {
            cmd.addAll(List.of("-e", e));
        }
        cmd.add(image);
        String id = Docker.require(cmd, "starting the container");
        return new LocalContainer(id, folder);
    }

    public String id() {
        return id;
    }

    /** The run folder mounted at {@code /hangar/io}. */
    public Path folder() {
        return folder;
    }

    /** Where the runtime wrote file outputs ({@code HANGAR_OUTPUT_DIR}). */
    public Path outputs() {
        return folder.resolve("outputs");
    }

    public RuntimeClient client() {
        return RuntimeClient.unixSocket(folder.resolve("runtime.sock")).withTimeout(Duration.ofMinutes(5));
    }

    /** Follows the container's output to {@code err} (setup logs) until {@link #stopLogs()}. */
    public void showLogs(PrintWriter err) {
        try {
            logs = new ProcessBuilder("docker", "logs", "-f", id).redirectErrorStream(true).start();
        } catch (IOException e) {
            return; // logs are a courtesy
        }
        Process p = logs;
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (err) {
                        err.println(line);
                        err.flush();
                    }
                }
            } catch (IOException ignored) {
                // the container went away
            }
        });
    }

    public void stopLogs() {
        if (logs != null) {
            logs.destroy();
            logs = null;
        }
    }

    /**
     * Waits until the runtime answers READY; a failed setup is ERR_SETUP_FAILED with its logs, a
     * container that exits is ERR_CONTAINER_FAILED with its output.
     */
    public Health awaitReady(Duration timeout) {
        RuntimeClient client = RuntimeClient.unixSocket(folder.resolve("runtime.sock")).withTimeout(Duration.ofSeconds(5));
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (Files.exists(folder.resolve("runtime.sock"))) {
                try {
                    Health h = client.health();
                    if (h.ready() || "BUSY".equals(h.status())) {
                        return h;
                    }
                    if (h.setupFailed() || "DEFUNCT".equals(h.status())) {
                        throw new CliError(ErrorCode.ERR_SETUP_FAILED, "setup() failed:\n" + h.setupLogs().strip());
                    }
                } catch (IOException e) {
                    // not listening yet
                }
            }
            String running = Docker.inspectContainer(id, "{{.State.Running}}");
            if (!"true".equals(running)) {
                Docker.Result r = Docker.capture(List.of("docker", "logs", "--tail", "30", id), null);
                String out = r.out() + r.err();
                throw new CliError(ErrorCode.ERR_CONTAINER_FAILED, "the container exited before it was ready:\n" + out.strip());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliError(ErrorCode.ERR_CANCELED, "interrupted while waiting for setup");
            }
        }
        throw new CliError(ErrorCode.ERR_TIMEOUT, "setup did not finish within " + timeout.toMinutes() + " minutes");
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopLogs();
        Docker.capture(List.of("docker", "rm", "-f", id), null);
        CogBuild.delete(folder);
    }
}
