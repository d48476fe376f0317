package dev.hangar.gateway.fault;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Small helpers for the processes the fault tests start, watch and kill (each by its own PID). */
final class Processes {
    static final Path ROOT = Path.of(System.getProperty("hangar.root", "..")).toAbsolutePath().normalize();
    static final Path LOGS = ROOT.resolve("gateway-service/target/fault-logs");
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private Processes() {}

    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static boolean open(int port) {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static Process start(String name, List<String> command, java.util.Map<String, String> env) throws IOException {
        Files.createDirectories(LOGS);
        var builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(LOGS.resolve(name + ".log").toFile()));
        builder.environment().putAll(env);
        return builder.start();
    }

    static void awaitPort(Process process, int port, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!open(port)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(what + " exited with " + process.exitValue() + "; see " + LOGS);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " did not listen on " + port + " within " + timeout + "; see " + LOGS);
            }
            Thread.sleep(50);
        }
    }

    /** SIGKILL, and wait until it is gone. */
    static void kill9(Process process) throws Exception {
        process.destroyForcibly();
        process.onExit().get(30, TimeUnit.SECONDS);
    }

    static int run(List<String> command) throws Exception {
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(command + " did not finish");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + out);
        }
        return process.exitValue();
    }
}
