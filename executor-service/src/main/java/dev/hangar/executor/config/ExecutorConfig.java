package dev.hangar.executor.config;

import dev.hangar.contracts.Platform;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;

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
}
