package dev.hangar.cli.client;

import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ContentId;
import dev.hangar.contracts.ErrorCode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/** Builds and pushes images with the docker CLI; its output is shown only with -v or on failure. */
public final class DockerCli {
    static final int TAIL_LINES = 200;

    private final PrintWriter err;
    private final boolean verbose;

    public DockerCli(PrintWriter err, boolean verbose) {
        this.err = err;
        this.verbose = verbose;
    }

    /** {@code docker build --network host -t tag dir}, with the classic builder (BuildKit needs a bridge). */
    public void build(Path dir, String tag) {
        build(dir.resolve("Dockerfile"), dir, Map.of(), tag);
    }

    /** As {@link #build(Path, String)}, with the Dockerfile, the context and {@code --build-arg}s given apart. */
    public void build(Path dockerfile, Path context, Map<String, String> buildArgs, String tag) {
        var command = new java.util.ArrayList<>(List.of("docker", "build", "--network", "host", "-t", tag,
                "-f", dockerfile.toString()));
        buildArgs.forEach((name, value) -> command.addAll(List.of("--build-arg", name + "=" + value)));
        command.add(context.toString());
        run(command, Map.of("DOCKER_BUILDKIT", "0"), ErrorCode.ERR_BAD_REQUEST);
    }

    /** The local image id of a tag ({@code sha256:...}). */
    public String imageId(String tag) {
        try {
            Process p = new ProcessBuilder("docker", "image", "inspect", "--format", "{{.Id}}", tag).redirectErrorStream(true).start();
            String id = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0 || !ContentId.isValid(id)) {
                throw new CliError(ErrorCode.ERR_UNAVAILABLE, "cannot read the image id of " + tag + ": " + id);
            }
            return id;
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_UNAVAILABLE, "cannot run docker image inspect: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliError(ErrorCode.ERR_CANCELED, "interrupted while inspecting " + tag, e);
        }
    }

    public void push(String tag) {
        run(List.of("docker", "push", tag), Map.of(), ErrorCode.ERR_UNAVAILABLE);
    }

    private void run(List<String> command, Map<String, String> env, ErrorCode onFailure) {
        String shown = String.join(" ", command);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_UNAVAILABLE, "cannot start `" + shown + "`: " + e.getMessage()
                    + " (is the docker CLI installed and on PATH?)", e);
        }
        Deque<String> tail = new ArrayDeque<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (verbose) {
                    err.println(line);
                    err.flush();
                } else {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
            }
            int exit = process.waitFor();
            if (exit == 0) {
                return;
            }
            tail.forEach(err::println);
            err.flush();
            String output = String.join("\n", tail);
            ErrorCode code = output.contains("Cannot connect to the Docker daemon") ? ErrorCode.ERR_UNAVAILABLE : onFailure;
            throw new CliError(code, "`" + shown + "` failed with exit status " + exit
                    + (verbose ? "" : " (its output is above)"));
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_UNAVAILABLE, "lost the output of `" + shown + "`: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw new CliError(ErrorCode.ERR_CANCELED, "interrupted during `" + shown + "`", e);
        }
    }
}
