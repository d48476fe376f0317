package dev.hangar.executor.config;

import dev.hangar.contracts.Platform;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Executor settings; environment variables override them in production. */
@ConfigMapping(prefix = "hangar.executor")
public interface ExecutorConfig {

    /** Host folder holding one short-named folder per run (mounted at /hangar/io). */
    Path workDir();

    /** This executor's name in events and container labels. */
    @WithDefault("executor-1")
    String id();

    /** The platform this host runs (the default for runs that name none). */
    @WithDefault("amd64")
    Platform platform();

    /** uid:gid processor containers run as; the run folder is given to this owner. */
    @WithDefault("10001:10001")
    String containerUser();

    /** How long a container may take from start to READY. */
    @WithDefault("60s")
    Duration startTimeout();

    /** Process limit inside each container. */
    @WithDefault("256")
    long pidsLimit();

    /** Token presented to the gateway to read a real-mode run's secrets (HANGAR_INTERNAL_TOKEN). */
    String internalToken();

    /** How long a canceled prediction may wind down before its container is killed. */
    @WithDefault("2s")
    Duration cancelGrace();

    /** Lines of container output kept for an error envelope's stderr_tail. */
    @WithDefault("40")
    int stderrTailLines();

    /**
     * The pool this executor serves (HANGAR_EXECUTOR_POOL, docs/remote.md): it then consumes only
     * {@code hangar.runs.requested.<pool>} in group {@code hangar-executor-<pool>} ({@link PoolChannels})
     * and runs the {@code remote} runs it gets there through its {@link #backend()}. Absent: a default
     * executor of {@code hangar.runs.requested}, which refuses {@code remote}.
     */
    Optional<String> pool();

    /** Where a pool executor's runs execute: {@code docker} (this host's engine) or {@code slurm}. */
    @WithDefault("docker")
    Backend backend();

    /** What a pool executor with the docker backend may run at once (docs/remote.md, Capacity). */
    CapacityConfig capacity();

    /** A pool executor's backend. */
    enum Backend { DOCKER, SLURM }

    /** The host's room for runs; a run takes its spec's (or adapter_opts') cpu, memory_mb and gpus while it runs. */
    interface CapacityConfig {
        /** Whether runs wait for room (default: on a pool executor with the docker backend only). */
        Optional<Boolean> enforced();

        /** CPUs to hand out (default: the host's processors). */
        Optional<Double> cpus();

        /** Memory to hand out, in MiB (default: the host's physical memory). */
        Optional<Integer> memoryMb();

        /** GPUs to hand out; a run that asks for more than this is refused with ERR_NO_CAPACITY. */
        @WithDefault("0")
        int gpus();
    }
}
