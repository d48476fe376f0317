package dev.hangar.runtime.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real {@code python3 -m hangar_runtime} on the host, serving one processor in a temp dir on a unix socket or loopback TCP. */
final class RuntimeProcess implements RuntimeProtocolContract.Server {
    static final Path PYTHONPATH = Path.of(System.getProperty("hangar.runtime.python", "python")).toAbsolutePath();
    static final Path EXAMPLES = Path.of(System.getProperty("hangar.examples", "../examples/processors")).toAbsolutePath();

    final Path dir;
    final Path outputs;
    /** HANGAR_RUNS_DIR: where per-run output folders may be. */
    final Path runs;
    /** HANGAR_SCRUB_DIRS and TMPDIR: the runtime's "/tmp" (never the host's own). */
    final Path tmp;
    final RuntimeClient client;
    private final Process process;
    private final Path log;

    private RuntimeProcess(Path dir, Process process, RuntimeClient client) {
        this.dir = dir;
        this.outputs = dir.resolve("outputs");
        this.runs = dir.resolve("runs");
        this.tmp = dir.resolve("tmp");
        this.process = process;
        this.client = client;
        this.log = dir.resolve("runtime.log");
    }

    /** A processor from src/test/resources/processors, on a unix socket. */
    static RuntimeProcess start(Path dir, String processor, Map<String, String> env) throws IOException {
        return startFile(dir, copyProcessor(dir, processor), env);
    }

    static RuntimeProcess startFile(Path dir, Path processorFile, Map<String, String> env) throws IOException {
        Path socket = dir.resolve("runtime.sock");
        var all = new HashMap<>(Map.of("HANGAR_SOCKET", socket.toString()));
        all.putAll(env);
        return launch(dir, processorFile, all, RuntimeClient.unixSocket(socket));
    }

    /** A processor from src/test/resources/processors, on loopback TCP as a Cog image listens on port 5000. */
    static RuntimeProcess startTcp(Path dir, String processor, int port, Map<String, String> env) throws IOException {
        var all = new HashMap<>(env);
        all.put("HANGAR_PORT", Integer.toString(port));
        return launch(dir, copyProcessor(dir, processor), all, RuntimeClient.tcp("127.0.0.1", port));
    }

    private static Path copyProcessor(Path dir, String processor) throws IOException {
        Path file = dir.resolve(processor + ".py");
        try (InputStream in = RuntimeProcess.class.getResourceAsStream("/processors/" + processor + ".py")) {
            if (in == null) {
                throw new IllegalArgumentException("no test processor " + processor);
            }
            Files.copy(in, file);
        }
        return file;
    }

    /** What the contract asks of its processors, in the runtime's terms: quick keep-alives, the setup gate. */
    static Map<String, String> contractEnv(RuntimeProtocolContract.TestProcessor processor, Path dir) {
        return switch (processor) {
            case SLOW -> Map.of("HANGAR_SSE_HEARTBEAT_SECONDS", "0.2");
            case GATED_SETUP -> Map.of("GATE_FILE", dir.resolve(RuntimeProtocolContract.GATE).toString());
            case BASIC, FAILING_SETUP -> Map.of();
        };
    }

    private static RuntimeProcess launch(Path dir, Path file, Map<String, String> env, RuntimeClient client) throws IOException {
        var builder = new ProcessBuilder("python3", "-m", "hangar_runtime").directory(dir.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> name.startsWith("HANGAR_") || name.startsWith("COG_") || name.equals("PORT"));
        environment.put("PYTHONPATH", PYTHONPATH.toString());
        environment.put("PYTHONDONTWRITEBYTECODE", "1");
        environment.put("HANGAR_PREDICTOR", file + ":Predictor");
        environment.put("HANGAR_OUTPUT_DIR", dir.resolve("outputs").toString());
        environment.put("HANGAR_RUNS_DIR", dir.resolve("runs").toString());
        // Scrubbing the host's /tmp would delete other programs' files: each runtime gets its own.
        Files.createDirectories(dir.resolve("tmp"));
        Files.createDirectories(dir.resolve("runs"));
        environment.put("HANGAR_SCRUB_DIRS", dir.resolve("tmp").toString());
        environment.put("TMPDIR", dir.resolve("tmp").toString());
        environment.putAll(env);
        builder.redirectErrorStream(true).redirectOutput(dir.resolve("runtime.log").toFile());
        return new RuntimeProcess(dir, builder.start(), client);
    }

    /** A fresh per-run folder under {@link #runs}, as the executor makes one per run of a warm container. */
    Path newRunFolder(String name) throws IOException {
        return Files.createDirectories(runs.resolve(name).resolve("outputs"));
    }

    /** A test processor file copied into dir, for a runtime started with its own HANGAR_PREDICTOR. */
    static Path copy(Path dir, String processor) throws IOException {
        return copyProcessor(dir, processor);
    }

    /** A runtime on any address the caller chose (env names it: HANGAR_PORT or HANGAR_SOCKET). */
    static RuntimeProcess launchWith(Path dir, Path file, Map<String, String> env, RuntimeClient client) throws IOException {
        return launch(dir, file, env, client);
    }

    /** True once the runtime process has ended by itself within the time given. */
    boolean exitsWithin(Duration limit) throws InterruptedException {
        return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    RuntimeProcess awaitReady() {
        awaitHealth(Health::ready);
        return this;
    }

    @Override
    public RuntimeClient client() {
        return client;
    }

    @Override
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: the runtime stops serving and removes its socket
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
