package dev.hangar.runtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing: the runtime image built from this source, the echo example on top, run the way
 * the executor runs mock mode (no network, read-only root, no capabilities, uid 10001) and driven
 * through the unix socket in the mounted folder.
 */
class EchoImageIT {
    static final String BASE = "127.0.0.1:5000/base/python:3.11-bookworm";
    // Test tags, so the stack's 127.0.0.1:5000/hangar/runtime-python:3.11 is never replaced by a test.
    static final String RUNTIME_IMAGE = "hangar-it/runtime-python:test";
    static final String ECHO_IMAGE = "hangar-it/echo:test";
    static final Path RUNTIME_DIR = Path.of(System.getProperty("hangar.runtime.dir", ".")).toAbsolutePath();

    record Result(int exit, String output) {}

    static Result docker(Duration timeout, String... args) throws IOException, InterruptedException {
        var command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DOCKER_BUILDKIT", "0");
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes(); // ends when docker exits
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("docker " + String.join(" ", args) + " took over " + timeout);
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8).strip());
    }

    static boolean dockerWorks() {
        try {
            return docker(Duration.ofSeconds(20), "version", "--format", "{{.Server.Version}}").exit() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void echoImageAnswersThroughTheSocketWithNoNetwork(@TempDir Path io) throws Exception {
        assumeTrue(dockerWorks(), "skipped: no usable docker engine (start it with the local stack script)");
        assumeTrue(docker(Duration.ofSeconds(20), "image", "inspect", BASE).exit() == 0,
                "skipped: base image " + BASE + " is missing (the local stack script builds it)");

        Result runtimeBuild = docker(Duration.ofMinutes(5), "build", "--network", "host", "-t", RUNTIME_IMAGE,
                RUNTIME_DIR.toString());
        assertEquals(0, runtimeBuild.exit(), runtimeBuild.output());
        Result echoBuild = docker(Duration.ofMinutes(5), "build", "--network", "host", "--build-arg", "RUNTIME=" + RUNTIME_IMAGE,
                "-t", ECHO_IMAGE, EchoExampleTest.ECHO.toString());
        assertEquals(0, echoBuild.exit(), echoBuild.output());

        // The container runs as 10001, the test as someone else: the mounted folder must be open to it.
        Files.setPosixFilePermissions(io, PosixFilePermissions.fromString("rwxrwxrwx"));
        Result run = docker(Duration.ofSeconds(60), "run", "-d", "--network", "none", "--read-only", "--tmpfs", "/tmp",
                "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--user", "10001:10001",
                "-v", io + ":/hangar/io", "-e", "HANGAR_SOCKET=/hangar/io/runtime.sock",
                "-e", "HANGAR_OUTPUT_DIR=/hangar/io/outputs", "-e", "HANGAR_MODE=mock", ECHO_IMAGE);
        assertEquals(0, run.exit(), run.output());
        String container = run.output().lines().reduce((a, b) -> b).orElseThrow();
        try {
            RuntimeClient client = RuntimeClient.unixSocket(io.resolve("runtime.sock"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions().until(() -> client.health().ready());
            List<StreamEvent> events = new ArrayList<>();

            Prediction prediction = client.predict("it-1", new ObjectMapper().readTree(EchoExampleTest.INPUT), events::add);

            assertTrue(prediction.succeeded(), prediction.raw().toString() + "\n" + docker(Duration.ofSeconds(20), "logs", container).output());
            assertEquals(EchoExampleTest.EXPECTED_OUTPUT_JSON, Files.readString(io.resolve("outputs/output.json")));
            assertEquals("Echo: héllo there", prediction.output().path("reply").asText());
            assertTrue(events.stream().anyMatch(e -> e.type().equals("log")
                    && e.data().path("line").asText().equals("echoing 2 message(s)")));
            assertEquals("none", docker(Duration.ofSeconds(20), "inspect", "--format", "{{.HostConfig.NetworkMode}}", container).output());
            assertTrue(docker(Duration.ofSeconds(20), "logs", container).output().contains("echoing 2 message(s)"),
                    "processor output still reaches docker logs");

            // Warm: the same container serves a second run in its own folder, and what was left in
            // its tmpfs /tmp before that run (as a run would leave it) is gone when it is done.
            Path runFolder = Files.createDirectories(io.resolve("runs/0123456789abcdef/outputs"));
            for (Path p : List.of(io.resolve("runs"), runFolder.getParent(), runFolder)) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
            Result leftover = docker(Duration.ofSeconds(20), "exec", container, "sh", "-c", "echo secret > /tmp/leftover && mkdir /tmp/d");
            assertEquals(0, leftover.exit(), leftover.output());
            Prediction warm = client.predict("it-2", new ObjectMapper().readTree(EchoExampleTest.INPUT),
                    new RunContext("/hangar/io/runs/0123456789abcdef/outputs", "exec-it-2"), e -> { });
            assertTrue(warm.succeeded(), warm.raw().toString());
            assertEquals(EchoExampleTest.EXPECTED_OUTPUT_JSON, Files.readString(runFolder.resolve("output.json")));
            assertEquals("[\"output.json\"]", warm.raw().path("output_files").toString());
            assertEquals("", docker(Duration.ofSeconds(20), "exec", container, "ls", "-A", "/tmp").output().strip(),
                    "the container's /tmp is empty after the run");
        } finally {
            docker(Duration.ofSeconds(30), "rm", "-f", container);
        }
    }

    @Test
    void anUnmodifiedCogProjectRunsInTheRuntimeImageWithNoNetwork(@TempDir Path work) throws Exception {
        assumeTrue(dockerWorks(), "skipped: no usable docker engine (start it with the local stack script)");
        assumeTrue(docker(Duration.ofSeconds(20), "image", "inspect", BASE).exit() == 0,
                "skipped: base image " + BASE + " is missing (the local stack script builds it)");
        Result runtimeBuild = docker(Duration.ofMinutes(5), "build", "--network", "host", "-t", RUNTIME_IMAGE, RUNTIME_DIR.toString());
        assertEquals(0, runtimeBuild.exit(), runtimeBuild.output());
        // The project as Cog's docs write it, copied to /src as an image build would; nothing of it changed.
        Path context = Files.createDirectories(work.resolve("context"));
        Path project = RUNTIME_DIR.resolve("src/test/resources/cog-projects/streaming");
        for (String name : List.of("cog.yaml", "predict.py")) {
            Files.copy(project.resolve(name), context.resolve(name));
        }
        Files.writeString(context.resolve("Dockerfile"), "ARG RUNTIME\nFROM ${RUNTIME}\nCOPY cog.yaml predict.py /src/\n"
                + "ENV HANGAR_PREDICTOR=/src/predict.py:Predictor\n");
        String image = "hangar-it/cog-streaming:test";
        Result build = docker(Duration.ofMinutes(5), "build", "--network", "host", "--build-arg", "RUNTIME=" + RUNTIME_IMAGE,
                "-t", image, context.toString());
        assertEquals(0, build.exit(), build.output());

        Path io = Files.createDirectories(work.resolve("io"));
        Files.setPosixFilePermissions(io, PosixFilePermissions.fromString("rwxrwxrwx"));
        Result run = docker(Duration.ofSeconds(60), "run", "-d", "--network", "none", "--read-only", "--tmpfs", "/tmp",
                "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--user", "10001:10001",
                "-v", io + ":/hangar/io", image);
        assertEquals(0, run.exit(), run.output());
        String container = run.output().lines().reduce((a, b) -> b).orElseThrow();
        try {
            RuntimeClient client = RuntimeClient.unixSocket(io.resolve("runtime.sock"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions().until(() -> client.health().ready());
            List<StreamEvent> events = new ArrayList<>();
            Prediction prediction = client.predict("cog-1", new ObjectMapper().readTree("{\"prompt\":\"no network here\"}"), events::add);
            assertTrue(prediction.succeeded(), prediction.raw() + "\n" + docker(Duration.ofSeconds(20), "logs", container).output());
            assertEquals(List.of("no ", "network ", "here "), events.stream().filter(e -> e.type().equals("token"))
                    .map(e -> e.data().path("text").asText()).toList());
            assertEquals(3, prediction.raw().path("metrics").path("token_count").asInt());
            assertEquals("[\"no \",\"network \",\"here \"]\n", Files.readString(io.resolve("outputs/output.json")));
            var refused = assertThrows(RuntimeResponseException.class,
                    () -> client.predict("cog-2", new ObjectMapper().readTree("{}"), e -> { }));
            assertEquals(422, refused.status(), "the missing prompt is refused before a job exists");
        } finally {
            docker(Duration.ofSeconds(30), "rm", "-f", container);
            docker(Duration.ofSeconds(30), "rmi", image);
        }
    }
}
