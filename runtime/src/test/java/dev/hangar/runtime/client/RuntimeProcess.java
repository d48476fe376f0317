package dev.hangar.runtime.client;

import static org.awaitility.Awaitility.await;

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
import java.util.function.Predicate;

/** A real {@code python3 -m hangar_runtime} on the host, serving one processor on a socket in a temp dir. */
final class RuntimeProcess implements AutoCloseable {
    static final Path PYTHONPATH = Path.of(System.getProperty("hangar.runtime.python", "python")).toAbsolutePath();
    static final Path EXAMPLES = Path.of(System.getProperty("hangar.examples", "../examples/processors")).toAbsolutePath();

    final Path dir;
    final Path outputs;
    final RuntimeClient client;
    private final Process process;
    private final Path log;

    private RuntimeProcess(Path dir, Process process, RuntimeClient client) {
        this.dir = dir;
        this.outputs = dir.resolve("outputs");
        this.process = process;
        this.client = client;
        this.log = dir.resolve("runtime.log");
    }

    /** A processor from src/test/resources/processors, on a unix socket. */
    static RuntimeProcess start(Path dir, String processor, Map<String, String> env) throws IOException {
        Path file = dir.resolve(processor + ".py");
        try (InputStream in = RuntimeProcess.class.getResourceAsStream("/processors/" + processor + ".py")) {
            if (in == null) {
                throw new IllegalArgumentException("no test processor " + processor);
            }
            Files.copy(in, file);
        }
        return startFile(dir, file, env);
    }

    static RuntimeProcess startFile(Path dir, Path processorFile, Map<String, String> env) throws IOException {
        Path socket = dir.resolve("runtime.sock");
        var all = new HashMap<>(Map.of("HANGAR_SOCKET", socket.toString()));
        all.putAll(env);
        return launch(dir, processorFile, all, RuntimeClient.unixSocket(socket));
    }

    static RuntimeProcess startTcp(Path dir, String processor, int port) throws IOException {
        Path file = dir.resolve(processor + ".py");
        try (InputStream in = RuntimeProcess.class.getResourceAsStream("/processors/" + processor + ".py")) {
            Files.copy(in, file);
        }
        return launch(dir, file, Map.of("HANGAR_PORT", Integer.toString(port)), RuntimeClient.tcp("127.0.0.1", port));
    }

    private static RuntimeProcess launch(Path dir, Path file, Map<String, String> env, RuntimeClient client) throws IOException {
        var builder = new ProcessBuilder("python3", "-m", "hangar_runtime").directory(dir.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> name.startsWith("HANGAR_") || name.equals("PORT"));
        environment.put("PYTHONPATH", PYTHONPATH.toString());
        environment.put("PYTHONDONTWRITEBYTECODE", "1");
        environment.put("HANGAR_PREDICTOR", file + ":Predictor");
        environment.put("HANGAR_OUTPUT_DIR", dir.resolve("outputs").toString());
        environment.putAll(env);
        builder.redirectErrorStream(true).redirectOutput(dir.resolve("runtime.log").toFile());
        return new RuntimeProcess(dir, builder.start(), client);
    }

    /** Polls the health check until it satisfies {@code condition}; connection errors mean "not yet". */
    Health awaitHealth(Predicate<Health> condition) {
        return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                .until(client::health, condition);
    }

    RuntimeProcess awaitReady() {
        awaitHealth(Health::ready);
        return this;
    }

    /** Everything the runtime wrote to stdout and stderr so far. */
    String log() {
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
