package dev.hangar.executor.slurm;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where and how the Slurm backend ({@code hangar.executor.backend=slurm}) reaches its cluster:
 * slurmrestd with a JWT, and the folder the executor and the cluster's nodes share. Every value has
 * a default or is optional so that an executor with another backend starts without any of it;
 * {@link SlurmAdapter} refuses runs, saying which key to set, while one it needs is missing.
 * See docs/slurm.md.
 */
@ConfigMapping(prefix = "hangar.executor.slurm")
public interface SlurmConfig {

    /** slurmrestd's base URL (no path). */
    @WithDefault("http://127.0.0.1:6820")
    URI restUrl();

    /** The OpenAPI plugin's version in the path: {@code /slurm/<api-version>/...}. */
    @WithDefault("v0.0.38")
    String apiVersion();

    /** The Slurm user jobs are submitted as (X-SLURM-USER-NAME); the JWT must be this user's. */
    @WithDefault("hangarjob")
    String user();

    /** The JWT itself (better: {@link #tokenFile()}); never logged. */
    Optional<String> token();

    /** A file holding the JWT, read again for every request so that a rotated token is picked up. */
    Optional<Path> tokenFile();

    /** The partition jobs go to; none: the cluster's default partition. */
    Optional<String> partition();

    /**
     * A folder mounted at the same path on this executor and on every node: one folder per run
     * (inputs, the driver, events, outputs) and {@code jobs/} for the jobs' own output.
     */
    Optional<Path> sharedDir();

    /** How often the job's state and its events file are read. */
    @WithDefault("250ms")
    Duration pollInterval();

    /** Timeout of one request to slurmrestd. */
    @WithDefault("10s")
    Duration requestTimeout();

    /** How long slurmrestd may stay unreachable (or keep failing) during a run before the run fails. */
    @WithDefault("60s")
    Duration unreachableGrace();

    /** How long a job may wait in Slurm's queue before the run fails (its job is canceled). */
    @WithDefault("30m")
    Duration maxPending();

    /** How long to wait, after the job ended, for its script to report that the container is gone. */
    @WithDefault("30s")
    Duration cleanupWait();

    /**
     * How long the job's script lets the executor's heartbeat go stale before it ends the run
     * (the executor was killed or lost its host); 0 turns the watchdog off.
     */
    @WithDefault("2m")
    Duration heartbeatTimeout();

    /** The docker client on the nodes. */
    @WithDefault("docker")
    String docker();

    /**
     * Whether a GPU run's container gets {@code --gpus device=$CUDA_VISIBLE_DEVICES} (the NVIDIA
     * container toolkit on the nodes); off for clusters whose GPU gres is not a real device.
     */
    @WithDefault("true")
    boolean dockerGpus();
}
