package dev.hangar.executor.docker;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import dev.hangar.executor.service.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Images the executor's Docker tests run: the runtime built from THIS tree's runtime/ (so a test
 * proves the runtime it ships with, not the one the stack happened to build), and processors
 * built FROM it. Tags carry this checkout's name so parallel checkouts do not move each other's.
 */
public final class TestImages {
    static final String BASE = "127.0.0.1:5000/base/python:3.11-bookworm";
    private static String runtime;

    private TestImages() {}

    static String tagPrefix() {
        return "hangar-it-" + root().getFileName().toString().toLowerCase().replaceAll("[^a-z0-9]", "") + "/";
    }

    /** The runtime image of this tree, built once per test JVM; its tag. */
    static synchronized String runtime(DockerClient docker) {
        if (runtime == null) {
            String tag = tagPrefix() + "runtime-python:test";
            build(docker, root().resolve("runtime"), tag, "BASE", BASE);
            runtime = tag;
        }
        return runtime;
    }

    /** A processor image FROM this tree's runtime; its image id (sha256:…), the form a local build runs by. */
    public static String processor(DockerClient docker, Path context, String name) {
        String tag = tagPrefix() + name + ":test";
        build(docker, context, tag, "RUNTIME", runtime(docker));
        return docker.inspectImageCmd(tag).exec().getId();
    }

    /**
     * A processor image FROM this tree's runtime, pushed to the local OCI registry as
     * {@code 127.0.0.1:5000/<repo>:test}; its pinned form {@code 127.0.0.1:5000/<repo>@sha256:…}.
     */
    public static String pushed(DockerClient docker, Path context, String repo) {
        String id = processor(docker, context, repo.replace('/', '-'));
        String name = "127.0.0.1:5000/" + repo;
        docker("tag", id, name + ":test");
        docker("push", "-q", name + ":test");
        for (String digest : docker("image", "inspect", "--format", "{{range .RepoDigests}}{{println .}}{{end}}", id).split("\n")) {
            if (digest.startsWith(name + "@sha256:")) {
                return digest.strip();
            }
        }
        throw new IllegalStateException("no digest of " + name + " after the push");
    }

    private static String docker(String... args) {
        try {
            var command = new java.util.ArrayList<String>(java.util.List.of("docker"));
            command.addAll(java.util.List.of(args));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
            }
            return output;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot run docker: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** With the docker CLI: docker-java refuses runtime/'s .dockerignore (it excludes all but python/). */
    private static void build(DockerClient docker, Path context, String tag, String arg, String value) {
        try {
            var builder = new ProcessBuilder("docker", "build", "-q", "--network", "host", "-t", tag, "--build-arg",
                    arg + "=" + value, context.toAbsolutePath().toString()).redirectErrorStream(true);
            builder.environment().put("DOCKER_BUILDKIT", "0");
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("docker build of " + context + " failed:\n" + output);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot run docker build: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The local engine, or the test is skipped when there is none or it lacks the base image. */
    public static DockerClient engine() {
        var docker = new DockerClientProducer().dockerClient("unix:///var/run/docker.sock");
        try {
            docker.pingCmd().exec();
        } catch (RuntimeException e) {
            assumeTrue(false,
                    "skipped: no usable docker engine (start the local stack): " + e.getMessage());
        }
        assumeTrue(baseImagePresent(docker),
                "skipped: the base image " + BASE + " is missing (the local stack builds it)");
        return docker;
    }

    /** Removes what a test's executor left: its containers and its work folder; closes the engine client. */
    static void cleanUp(DockerClient docker, String executorId, Path workDir) throws IOException {
        if (docker == null) {
            return;
        }
        removeContainersOf(docker, executorId);
        if (workDir != null) {
            new RunFolders(Fixtures.TestConfig.defaults(workDir)).delete(workDir);
        }
        docker.close();
    }

    /** Removes every container an executor id started (what a test's executor left). */
    static void removeContainersOf(DockerClient docker, String executorId) {
        for (var c : docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(RunContainer.LABEL_EXECUTOR, executorId)).exec()) {
            docker.removeContainerCmd(c.getId()).withForce(true).exec();
        }
    }

    public static boolean baseImagePresent(DockerClient docker) {
        return !docker.listImagesCmd().withImageNameFilter(BASE).exec().isEmpty();
    }

    /** The repository root (holding runtime/ and examples/). */
    public static Path root() {
        for (String start : new String[] {System.getProperty("hangar.root", ".."), ".."}) {
            Path dir = Path.of(start).toAbsolutePath().normalize();
            if (Files.isDirectory(dir.resolve("runtime/python")) && Files.isDirectory(dir.resolve("examples/processors"))) {
                return dir;
            }
        }
        throw new IllegalStateException("the repository root is not found from " + Path.of("").toAbsolutePath());
    }
}
