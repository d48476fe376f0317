package dev.hangar.executor.slurm;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import dev.hangar.executor.docker.TestImages;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The local Slurm cluster of this tree ({@code deploy/local/slurm.sh start}), as the tests reach
 * it: its settings, a fresh JWT in a 0600 file, a client of its own, the docker CLI, and the test
 * images pushed to the local OCI registry so that jobs run them by digest. Tests are skipped when
 * the cluster is down, except under CI, where that is a failure.
 */
final class SlurmRig {
    static final String REGISTRY = "127.0.0.1:5000";

    final Path script = TestImages.root().resolve("deploy/local/slurm.sh");
    final Map<String, String> env = new HashMap<>();
    final Path tokenFile;
    final String token;

    /** Settings for slurm.sh (and scontrol, squeue) of a cluster other than the tree's default one. */
    private final Map<String, String> overrides;

    SlurmRig() throws IOException {
        this(Map.of());
    }

    SlurmRig(Map<String, String> overrides) throws IOException {
        this.overrides = overrides;
        var status = sh(List.of(script.toString(), "status"));
        if (status.code() != 0) {
            String why = "the local Slurm cluster is not running (deploy/local/slurm.sh start):\n" + status.output();
            if (System.getenv("CI") != null) {
                fail(why);
            }
            assumeTrue(false, "skipped: " + why);
        }
        for (String line : sh(List.of(script.toString(), "env")).output().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        token = sh(List.of(script.toString(), "token", "3600")).output().strip();
        tokenFile = Files.createTempFile("slurm-token", "", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tokenFile, token);
    }

    Path sharedDir() {
        return Path.of(env.get("HANGAR_SLURM_SHARED_DIR"));
    }

    TestSlurmConfig config() {
        return new TestSlurmConfig(URI.create(env.get("HANGAR_SLURM_REST_URL")), "v0.0.38", env.get("HANGAR_SLURM_USER"),
                Optional.empty(), Optional.of(tokenFile), Optional.empty(), Optional.of(sharedDir()), Duration.ofMillis(100),
                Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofMinutes(5), Duration.ofSeconds(20), Duration.ofMinutes(2),
                "docker", false);
    }

    SlurmClient client() {
        return new SlurmClient(config());
    }

    /** A processor image built FROM this tree's runtime, pushed to the local registry: its repo@sha256 reference. */
    String pushed(DockerClient docker, Path context, String name) {
        return TestImages.pushed(docker, context, "hangar-it-slurm/" + name);
    }

    /** The adapter under test, on this cluster and its shared folder. */
    SlurmAdapter adapter(String executorId, dev.hangar.executor.store.OutputStore outputs, int stderrTailLines) {
        var executor = dev.hangar.executor.service.Fixtures.TestConfig.defaults(sharedDir()).withId(executorId)
                .withStderrTailLines(stderrTailLines);
        return new SlurmAdapter(config(), executor, dev.hangar.executor.docker.TestLimits.DEFAULTS, outputs);
    }

    /** What a run left behind: its containers and its Slurm jobs that have not ended. */
    List<String> leftovers(String executionId) {
        try {
            var left = new ArrayList<>(containers(executionId));
            left.addAll(liveJobs(executionId));
            return left;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Containers of a run on the node's engine (label dev.hangar.execution_id). */
    List<String> containers(String executionId) throws IOException {
        String out = run(List.of("docker", "ps", "-a", "-q", "--filter", "label=" + JobScript.LABEL_EXECUTION + "=" + executionId));
        return out.isBlank() ? List.of() : List.of(out.strip().split("\n"));
    }

    /** Slurm jobs of a run that have not ended. */
    List<String> liveJobs(String executionId) throws IOException {
        var live = new ArrayList<String>();
        for (var job : client().jobs()) {
            if (SlurmAdapter.jobName(executionId).equals(job.name()) && !job.ended()) {
                live.add("Slurm job " + job.jobId() + " " + job.jobState());
            }
        }
        return live;
    }

    /** scontrol against this cluster (root). */
    String scontrol(String... args) throws IOException {
        var command = new ArrayList<>(List.of("scontrol"));
        command.addAll(List.of(args));
        return run(command);
    }

    String run(List<String> command) throws IOException {
        var result = sh(command);
        if (result.code() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + result.code() + "):\n" + result.output());
        }
        return result.output();
    }

    record Result(int code, String output) {}

    Result sh(List<String> command) throws IOException {
        var builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(overrides);
        if (env.containsKey("SLURM_CONF")) {
            builder.environment().put("SLURM_CONF", env.get("SLURM_CONF"));
        }
        Process process = builder.start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish");
            }
            return new Result(process.exitValue(), output);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    void close() throws IOException {
        Files.deleteIfExists(tokenFile);
    }

    record TestSlurmConfig(URI restUrl, String apiVersion, String user, Optional<String> token, Optional<Path> tokenFile,
                           Optional<String> partition, Optional<Path> sharedDir, Duration pollInterval, Duration requestTimeout,
                           Duration unreachableGrace, Duration maxPending, Duration cleanupWait, Duration heartbeatTimeout,
                           String docker, boolean dockerGpus)
            implements SlurmConfig {

        TestSlurmConfig withPartition(String name) {
            return new TestSlurmConfig(restUrl, apiVersion, user, token, tokenFile, Optional.of(name), sharedDir, pollInterval,
                    requestTimeout, unreachableGrace, maxPending, cleanupWait, heartbeatTimeout, docker, dockerGpus);
        }

        TestSlurmConfig withMaxPending(Duration max) {
            return new TestSlurmConfig(restUrl, apiVersion, user, token, tokenFile, partition, sharedDir, pollInterval,
                    requestTimeout, unreachableGrace, max, cleanupWait, heartbeatTimeout, docker, dockerGpus);
        }

        TestSlurmConfig withToken(String value) {
            return new TestSlurmConfig(restUrl, apiVersion, user, Optional.of(value), Optional.empty(), partition, sharedDir,
                    pollInterval, requestTimeout, unreachableGrace, maxPending, cleanupWait, heartbeatTimeout, docker, dockerGpus);
        }
    }
}
