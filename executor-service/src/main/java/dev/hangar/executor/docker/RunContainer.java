package dev.hangar.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.DeviceRequest;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.RunEvent;
import dev.hangar.executor.config.CogConfig;
import dev.hangar.executor.config.ExecutorConfig;
import dev.hangar.executor.config.LimitsConfig;
import dev.hangar.executor.service.ActiveRun;
import dev.hangar.executor.service.RunPlan;
import dev.hangar.runtime.client.RuntimeClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * One run's container and the folder mounted into it at {@value #IO_DIR}: created unprivileged,
 * limited and with network {@code none} (mock and real), started, followed, killed at its deadline
 * or after a cancel's grace period, and removed with its folder on {@link #close()} (unless the
 * run keeps it for debugging). A real-mode run's secrets reach the runtime through a one-shot
 * socket ({@link SecretsHandoff}), never the container's environment; its egress, if the spec
 * allows any, goes through a per-run {@link EgressProxy} on a socket in the same folder. An
 * unmodified Cog image ({@code server: cog-http}) gets none of the Hangar environment; its
 * {@link CogForwarder} sidecar puts the Cog server's port 5000 on the folder's socket instead.
 */
final class RunContainer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RunContainer.class);
    static final String IO_DIR = "/hangar/io";
    static final String LABEL_MANAGED = "dev.hangar.managed";
    static final String LABEL_EXECUTOR = "dev.hangar.executor";
    static final String LABEL_EXECUTION = "dev.hangar.execution_id";
    /** Where the runtime inside listens for the predictor's proxied connections (HTTP(S)_PROXY). */
    static final int EGRESS_PORT = 3128;

    private final DockerClient docker;
    private final RunFolders folders;
    private final ExecutorConfig config;
    private final ScheduledExecutorService timers;
    private final String executionId;
    private final boolean keep;
    private final Path folder;
    private final ContainerLogs logs;
    private final RuntimeClient runtime;
    private final int maxEgressConnections;
    private final AtomicBoolean timedOut = new AtomicBoolean();
    private volatile String id;
    /** The image of an unmodified Cog image's forwarder sidecar. */
    private final String forwarderImage;
    private volatile String sidecarId;
    private ScheduledFuture<?> deadline;
    private final List<AutoCloseable> services = new ArrayList<>();

    /** Makes the run's (empty) folder; the container comes with {@link #start}. */
    RunContainer(DockerClient docker, RunFolders folders, ExecutorConfig config, LimitsConfig limits,
                 ScheduledExecutorService timers, ActiveRun run, boolean keep) {
        this(docker, folders, config, limits, timers, run, keep, CogConfig.DEFAULTS.forwarderImage());
    }

    /** With the forwarder image a {@code server: cog-http} run's sidecar starts from. */
    RunContainer(DockerClient docker, RunFolders folders, ExecutorConfig config, LimitsConfig limits,
                 ScheduledExecutorService timers, ActiveRun run, boolean keep, String forwarderImage) {
        this.forwarderImage = forwarderImage;
        this.docker = docker;
        this.folders = folders;
        this.config = config;
        this.timers = timers;
        this.executionId = run.executionId();
        this.keep = keep;
        this.folder = folders.create(run.executionId(), run.command().attempt());
        this.logs = new ContainerLogs(config.stderrTailLines());
        this.runtime = RuntimeClient.unixSocket(folders.socket(folder)).withMaxReplyBytes(limits.maxReplyBytes());
        this.maxEgressConnections = limits.maxEgressConnections();
    }

    Path folder() {
        return folder;
    }

    Path outputs() {
        return folders.outputs(folder);
    }

    /** The runtime inside, over the unix socket in the run folder. */
    RuntimeClient runtime() {
        return runtime;
    }

    /** Opens the run's secret hand-off and egress proxy, creates the container locked down, starts it and follows its output. */
    void start(RunPlan plan, ActiveRun run) throws IOException {
        if (plan.spec().cogHttp()) {
            startCog(plan);
            return;
        }
        var env = new ArrayList<>(List.of("HANGAR_MODE=" + run.mode().wire(),
                "HANGAR_SOCKET=" + IO_DIR + "/" + RunFolders.SOCKET,
                "HANGAR_OUTPUT_DIR=" + IO_DIR + "/" + RunFolders.OUTPUTS,
                "HANGAR_EXECUTION_ID=" + run.executionId()));
        if (!plan.secrets().isEmpty()) {
            var handoff = open(SecretsHandoff.open(folder, plan.secrets()));
            folders.handOverOne(handoff.path());
            env.add("HANGAR_SECRETS_SOCKET=" + IO_DIR + "/" + SecretsHandoff.SOCKET);
        }
        ProcessorSpec.Network egress = plan.spec().egress();
        if (!plan.mock() && !egress.allow().isEmpty()) {
            var proxy = open(EgressProxy.open(folder, egress,
                    line -> run.emit(new RunEvent.Log("stderr", line)), maxEgressConnections));
            folders.handOverOne(proxy.path());
            env.add("HANGAR_EGRESS_SOCKET=" + IO_DIR + "/" + EgressProxy.SOCKET);
            env.add("HANGAR_EGRESS_PORT=" + EGRESS_PORT);
        }
        id = docker.createContainerCmd(plan.image())
                .withName("hangar-" + folder.getFileName())
                .withUser(config.containerUser())
                .withEnv(env)
                .withLabels(Map.of(LABEL_MANAGED, "true", LABEL_EXECUTOR, config.id(), LABEL_EXECUTION, executionId))
                .withHostConfig(hostConfig(plan))
                .exec()
                .getId();
        docker.startContainerCmd(id).exec();
        docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(true).exec(logs);
    }

    /**
     * An unmodified Cog image: its own entrypoint, none of the Hangar environment or sockets, the
     * same lockdown (network none); then the forwarder sidecar in its network namespace.
     */
    private void startCog(RunPlan plan) {
        var labels = Map.of(LABEL_MANAGED, "true", LABEL_EXECUTOR, config.id(), LABEL_EXECUTION, executionId);
        id = docker.createContainerCmd(plan.image())
                .withName("hangar-" + folder.getFileName())
                .withUser(config.containerUser())
                .withLabels(labels)
                .withHostConfig(hostConfig(plan))
                .exec()
                .getId();
        docker.startContainerCmd(id).exec();
        docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(true).exec(logs);
        sidecarId = CogForwarder.start(docker, forwarderImage, id, folder, config.containerUser(),
                "hangar-" + folder.getFileName() + "-fwd", labels);
    }

    /** Whether this run's image is an unmodified Cog image behind a forwarder. */
    boolean cog() {
        return sidecarId != null;
    }

    private <T extends AutoCloseable> T open(T service) {
        services.add(service);
        return service;
    }

    private HostConfig hostConfig(RunPlan plan) {
        return lockedDown(folder, plan.limits(), config.pidsLimit());
    }

    /** The one lockdown of every processor container, cold or warm: its folder at {@value #IO_DIR}, nothing else. */
    static HostConfig lockedDown(Path folder, ProcessorSpec.Resources limits, long pidsLimit) {
        long memory = limits.memoryMb() * 1024L * 1024L;
        var host = HostConfig.newHostConfig();
        if (limits.gpus() > 0) {
            host.withDeviceRequests(List.of(gpus(limits.gpus())));
        }
        return host
                // No network at all, whatever the mode: real-mode egress is the proxy's socket in the run folder.
                .withNetworkMode("none")
                .withBinds(new Bind(folder.toString(), new Volume(IO_DIR)))
                .withMemory(memory)
                .withMemorySwap(memory)
                .withNanoCPUs((long) (limits.cpu() * 1_000_000_000L))
                .withPidsLimit(pidsLimit)
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withReadonlyRootfs(true)
                .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,size=256m"));
    }

    /**
     * The spec's GPUs as the engine's device request ({@code docker run --gpus N}): the NVIDIA
     * container toolkit's driver, capability {@code gpu}, that many devices.
     */
    static DeviceRequest gpus(int count) {
        return new DeviceRequest().withDriver("nvidia").withCount(count).withCapabilities(List.of(List.of("gpu")));
    }

    /**
     * Stops the container (and its egress) so that nothing can change the run folder while the
     * executor reads the outputs: a symlink swapped in after a check would otherwise win.
     */
    void stopForReading() {
        closeServices();
        CogForwarder.remove(docker, sidecarId);
        try {
            docker.stopContainerCmd(id).withTimeout(0).exec();
        } catch (com.github.dockerjava.api.exception.NotModifiedException alreadyStopped) {
            // exited on its own
        }
        var state = docker.inspectContainerCmd(id).exec().getState();
        if (Boolean.TRUE.equals(state.getRunning())) {
            throw new HangarException(ErrorCode.ERR_CONTAINER_FAILED, "the container did not stop; its outputs were not read");
        }
    }

    private void closeServices() {
        for (var service : services) {
            try {
                service.close();
            } catch (Exception e) {
                LOG.debugf("closing %s: %s", service, e.getMessage());
            }
        }
    }

    /** Kills the container when the run's deadline passes; {@link #timedOut()} tells the failure apart. */
    void killAfter(Duration timeout) {
        deadline = timers.schedule(() -> {
            timedOut.set(true);
            kill();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean timedOut() {
        return timedOut.get();
    }

    /** Asks the runtime to cancel the prediction, then kills the container if it has not ended after the grace period. */
    void stop(String predictionId) {
        try {
            runtime.cancel(predictionId);
        } catch (IOException e) {
            LOG.debugf("runtime cancel of %s: %s", predictionId, e.getMessage());
        }
        timers.schedule(this::kill, config.cancelGrace().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Polls the runtime's health until READY; a dead container or failed setup ends the wait. */
    void awaitReady(Duration startTimeout) throws IOException {
        try {
            awaitReady(runtime, this::running, startTimeout);
        } catch (HangarException e) {
            if (cog() && e.code() == ErrorCode.ERR_CONTAINER_FAILED) {
                throw new HangarException(ErrorCode.ERR_CONTAINER_FAILED, "the Cog server did not become READY within "
                        + startTimeout.toSeconds() + " s (GET /health-check on port " + CogForwarder.COG_PORT
                        + " of the image; does it run Cog's HTTP server?)");
            }
            throw e;
        }
    }

    /** Polls a runtime's health until READY (or BUSY: serving already); a dead container or failed setup ends the wait. */
    static void awaitReady(RuntimeClient runtime, java.util.function.BooleanSupplier running, Duration startTimeout)
            throws IOException {
        long until = System.nanoTime() + startTimeout.toNanos();
        for (int attempt = 0; System.nanoTime() < until; attempt++) {
            try {
                var health = runtime.health();
                if (health.ready()) {
                    return;
                }
                if (health.setupFailed()) {
                    throw new HangarException(ErrorCode.ERR_SETUP_FAILED, "the processor's setup() failed");
                }
            } catch (IOException notListeningYet) {
                if (attempt % 8 == 7 && !running.getAsBoolean()) {
                    throw new IOException("the container exited before its runtime answered");
                }
            }
            pause(Duration.ofMillis(attempt < 40 ? 10 : 100));
        }
        throw new HangarException(ErrorCode.ERR_CONTAINER_FAILED, "the container's runtime did not become READY within "
                + startTimeout.toSeconds() + " s; does the image run the Hangar runtime?");
    }

    private boolean running() {
        return Boolean.TRUE.equals(docker.inspectContainerCmd(id).exec().getState().getRunning());
    }

    /** The container's last lines of output. */
    String tail() {
        return logs.tail();
    }

    /** A failed prediction's own last lines, else the container's. */
    String tail(String predictionLogs) {
        return logs.tail(predictionLogs);
    }

    /** Why the container stopped answering, as the engine saw it. */
    String exitReason(Exception cause) {
        if (id == null) {
            return "the container could not be created: " + cause.getMessage();
        }
        try {
            var state = docker.inspectContainerCmd(id).exec().getState();
            if (Boolean.TRUE.equals(state.getOOMKilled())) {
                return "the container ran out of memory (OOM-killed, exit " + state.getExitCodeLong() + "); raise runtime.memory_mb";
            }
            if (!Boolean.TRUE.equals(state.getRunning())) {
                return "the container exited with code " + state.getExitCodeLong() + " before answering";
            }
        } catch (DockerException ignored) {
            // fall through to the transport error
        }
        return "lost the connection to the container's runtime: " + cause.getMessage();
    }

    /** Stops the deadline and the log stream, then removes the container and the folder, whatever happened. */
    @Override
    public void close() {
        if (deadline != null) {
            deadline.cancel(false);
        }
        closeServices();
        try {
            logs.close();
        } catch (IOException ignored) {
            // the stream ends with the container anyway
        }
        CogForwarder.remove(docker, sidecarId); // never kept: only the processor's container is worth a look
        if (keep && id != null) {
            LOG.infof("keeping container %s of run %s for debugging (adapter_opts.keep_container)", id, executionId);
            return;
        }
        remove();
        folders.delete(folder);
    }

    private void kill() {
        for (String container : new String[] {id, sidecarId}) {
            if (container == null) {
                continue;
            }
            try {
                docker.killContainerCmd(container).exec();
            } catch (DockerException e) {
                LOG.debugf("kill %s: %s", container, e.getMessage());
            }
        }
    }

    private void remove() {
        CogForwarder.remove(docker, sidecarId);
        Containers.remove(docker, id, "container");
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HangarException(ErrorCode.ERR_CANCELED, "the executor is shutting down");
        }
    }
}
