package dev.hangar.cli.cog;

import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The docker CLI, run as a child process: what the local Cog commands need of the engine. */
public final class Docker {
    static final int TAIL = 200;

    private Docker() {}

    /** What a finished command printed (stdout, stderr kept apart) and its exit status. */
    public record Result(int exit, String out, String err) {}

    /** Runs a command to its end, stdin from {@code input} (or none), output captured. */
    public static Result capture(List<String> command, byte[] input) {
        ProcessBuilder pb = new ProcessBuilder(command);
        try {
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                if (input != null) {
                    in.write(input);
                }
            }
            var err = new java.io.ByteArrayOutputStream();
            Thread drain = Thread.ofVirtual().start(() -> {
                try {
                    p.getErrorStream().transferTo(err);
                } catch (IOException ignored) {
                    // the process went away
                }
            });
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = p.waitFor();
            drain.join();
            return new Result(exit, out, err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_UNAVAILABLE, "cannot run `" + command.getFirst() + "`: " + e.getMessage()
                    + " (is the docker CLI installed and on PATH?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliError(ErrorCode.ERR_CANCELED, "interrupted during `" + String.join(" ", command) + "`", e);
        }
    }

    /**
     * Runs a command, handing each line of its merged output to {@code lines} as it comes; fails
     * with the last lines of output when it exits non-zero.
     */
    public static void stream(List<String> command, Map<String, String> env, Consumer<String> lines, String what) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
            p.getOutputStream().close();
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_UNAVAILABLE, "cannot run `" + command.getFirst() + "`: " + e.getMessage()
                    + " (is the docker CLI installed and on PATH?)", e);
        }
        Deque<String> tail = new ArrayDeque<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.accept(line);
                tail.addLast(line);
                if (tail.size() > TAIL) {
                    tail.removeFirst();
                }
            }
            int exit = p.waitFor();
            if (exit != 0) {
                String output = String.join("\n", tail);
                ErrorCode code = output.contains("Cannot connect to the Docker daemon") ? ErrorCode.ERR_UNAVAILABLE
                        : ErrorCode.ERR_BAD_REQUEST;
                throw new CliError(code, what + " failed (exit status " + exit + "); the last lines:\n" + lastLines(tail, 15));
            }
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_UNAVAILABLE, "lost the output of `" + String.join(" ", command) + "`: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new CliError(ErrorCode.ERR_CANCELED, "interrupted during " + what, e);
        }
    }

    private static String lastLines(Deque<String> tail, int n) {
        List<String> all = List.copyOf(tail);
        return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
    }

    /** {@code docker image inspect --format FORMAT ref}, or null when there is no such image. */
    public static String inspect(String ref, String format) {
        Result r = capture(List.of("docker", "image", "inspect", "--format", format, ref), null);
        if (r.exit() != 0) {
            if (r.err().contains("Cannot connect to the Docker daemon")) {
                throw new CliError(ErrorCode.ERR_UNAVAILABLE, "the Docker engine is not reachable: " + r.err().strip());
            }
            return null;
        }
        return r.out().strip();
    }

    /** {@code docker container inspect --format FORMAT id}, or null when there is no such container. */
    public static String inspectContainer(String id, String format) {
        Result r = capture(List.of("docker", "container", "inspect", "--format", format, id), null);
        return r.exit() == 0 ? r.out().strip() : null;
    }

    /** Runs {@code docker ARGS}; fails naming {@code what} and docker's message when it does. */
    public static String require(List<String> args, String what) {
        Result r = capture(args, null);
        if (r.exit() != 0) {
            throw new CliError(ErrorCode.ERR_UNAVAILABLE, what + " failed: " + r.err().strip());
        }
        return r.out().strip();
    }
}
