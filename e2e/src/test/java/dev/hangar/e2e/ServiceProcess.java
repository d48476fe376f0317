package dev.hangar.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One Hangar service of this tree ({@code <module>/target/quarkus-app/quarkus-run.jar}) as its
 * own process on a free 127.0.0.1 port, with its own configuration; ended by its PID, and
 * {@link #kill()} is a real SIGKILL.
 */
final class ServiceProcess implements AutoCloseable {
    final String name;
    final int port;
    final Path log;
    private final Process process;

    private ServiceProcess(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    static ServiceProcess start(String module, String name, Map<String, String> env, Map<String, String> props) throws IOException {
        return start(module, name, freePort(), env, props);
    }

    /** On a port chosen beforehand (a gateway whose public URL must name its own port). */
    static ServiceProcess start(String module, String name, int port, Map<String, String> env, Map<String, String> props)
            throws IOException {
        return start(module, name, port, env, props, List.of());
    }

    /**
     * Started through {@code wrapper} (e.g. {@code nsenter --net=/run/netns/NS}, which execs java in
     * the namespace: the PID stays java's, so {@link #kill()} is still a SIGKILL of the service).
     */
    static ServiceProcess start(String module, String name, int port, Map<String, String> env, Map<String, String> props,
                                List<String> wrapper) throws IOException {
        Path jar = Stack.ROOT.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build " + module + " first (mvn -pl " + module + ",e2e -am verify)");
        }
        var command = new ArrayList<>(wrapper);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dquarkus.http.port=" + port,
                "-Dquarkus.log.console.json.enabled=false"));
        props.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", jar.toString()));
        Path log = Stack.ROOT.resolve("e2e/target/processes/" + name + ".log");
        Files.createDirectories(log.getParent());
        var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        var started = new ServiceProcess(name, port, log, builder.start());
        started.awaitListening(Duration.ofSeconds(90));
        return started;
    }

    private void awaitListening(Duration timeout) throws IOException {
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            if (Files.readString(log).contains("Listening on:")) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited at start (code " + process.exitValue() + "); see " + log);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(name + " did not start within " + timeout + "; see " + log);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    String logText() throws IOException {
        return Files.readString(log);
    }

    /** SIGKILL: no shutdown hook, no commit, no cleanup. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM (a graceful stop): whether the process exited within {@code timeout}; it is SIGKILLed if not. */
    boolean terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        boolean exited = process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        if (!exited) {
            kill();
        }
        return exited;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
