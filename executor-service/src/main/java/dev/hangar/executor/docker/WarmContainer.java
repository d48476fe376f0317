package dev.hangar.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.executor.config.ExecutorConfig;
import dev.hangar.executor.service.RunPlan;
import dev.hangar.runtime.client.Health;
import dev.hangar.runtime.client.RuntimeClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One warm container (docs/warm-pool.md): locked down like every run container
 * ({@link RunContainer#lockedDown}), its pool folder at {@value RunContainer#IO_DIR}, serving up to
 * {@code slots} runs at once, each in a folder of its own under {@code runs/}. Its slot count and
 * state change under {@link WarmPool}'s lock; the rest is its own.
 */
final class WarmContainer {
    private static final Logger LOG = Logger.getLogger(WarmContainer.class);
    static final String LABEL_POOL = "dev.hangar.pool";
    /** On the containers kept warm for a deployment: {@code <env>/<name>} (docs/deploy.md). */
    public static final String LABEL_DEPLOYMENT = "dev.hangar.deployment";
    static final String RUNS_DIR = RunContainer.IO_DIR + "/" + RunFolders.RUNS;

    /** STARTING until its runtime is READY; RETIRED once it is being removed (never handed out again). */
    enum State { STARTING, READY, RETIRED }

    final WarmKey key;
    final int slots;
    final Path folder;
    final RuntimeClient runtime;
    private final RuntimeClient probe;
    private final DockerClient docker;
    private final List<AutoCloseable> services = new ArrayList<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CompletableFuture<Void> removed = new CompletableFuture<>();
    private final java.util.Set<Consumer<String>> egressListeners = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile State state = State.STARTING;
    private volatile String id;
    private volatile String retiredBecause;
    // guarded by WarmPool's lock
    int busy;
    long idleSince = System.nanoTime();

    /** The deployment this container is kept warm for, or null. */
    final String deployment;

    WarmContainer(WarmKey key, int slots, Path folder, RuntimeClient runtime, DockerClient docker) {
        this(key, slots, folder, runtime, docker, null);
    }

    WarmContainer(WarmKey key, int slots, Path folder, RuntimeClient runtime, DockerClient docker, String deployment) {
        this.deployment = deployment;
        this.key = key;
        this.slots = slots;
        this.folder = folder;
        this.runtime = runtime;
        this.probe = runtime.withTimeout(Duration.ofSeconds(2));
        this.docker = docker;
    }

    State state() {
        return state;
    }

    String id() {
        return id;
    }

    /** Why it was retired, or null while it serves. */
    String retiredBecause() {
        return retiredBecause;
    }

    /**
     * Where the egress proxy's refusals go while a run is in the container: to every run in it
     * (all of one owner: real mode is per owner). Returns the handle that stops it.
     */
    AutoCloseable onEgressLog(Consumer<String> sink) {
        egressListeners.add(sink);
        return () -> egressListeners.remove(sink);
    }

    /**
     * Creates and starts the container for the plan's image, then waits for its runtime's READY.
     * A runtime that does not report {@code concurrency.max} as asked does not speak the warm
     * protocol: {@link NotWarmCapable}, and the run goes the cold way.
     */
    private Map<String, String> labels(ExecutorConfig config) {
        var labels = new java.util.HashMap<>(Map.of(RunContainer.LABEL_MANAGED, "true", RunContainer.LABEL_EXECUTOR, config.id(),
                LABEL_POOL, key.label()));
        if (deployment != null) {
            labels.put(LABEL_DEPLOYMENT, deployment);
        }
        return labels;
    }

    /** The engine's id of the container, once created. */
    String containerId() {
        return id;
    }

    void start(RunPlan plan, Mode mode, ExecutorConfig config, RunFolders folders, int maxEgressConnections) throws IOException {
        try {
            var env = new ArrayList<>(List.of("HANGAR_MODE=" + mode.wire(),
                    "HANGAR_SOCKET=" + RunContainer.IO_DIR + "/" + RunFolders.SOCKET,
                    // no job of a warm container may use the shared default: the runs folder is not writable to it
                    "HANGAR_OUTPUT_DIR=" + RUNS_DIR,
                    "HANGAR_RUNS_DIR=" + RUNS_DIR,
                    "HANGAR_MAX_CONCURRENCY=" + slots,
                    // the runtime interrupts a canceled job within half of the executor's grace, which then kills the container
                    "HANGAR_CANCEL_GRACE_SECONDS=" + config.cancelGrace().toMillis() / 2000.0));
            if (mode == Mode.REAL && !plan.secrets().isEmpty()) {
                var handoff = open(SecretsHandoff.open(folder, plan.secrets()));
                folders.handOverOne(handoff.path());
                env.add("HANGAR_SECRETS_SOCKET=" + RunContainer.IO_DIR + "/" + SecretsHandoff.SOCKET);
            }
            ProcessorSpec.Network egress = plan.spec().egress();
            if (mode == Mode.REAL && !egress.allow().isEmpty()) {
                var proxy = open(EgressProxy.open(folder, egress, line -> egressListeners.forEach(l -> l.accept(line)), maxEgressConnections));
                folders.handOverOne(proxy.path());
                env.add("HANGAR_EGRESS_SOCKET=" + RunContainer.IO_DIR + "/" + EgressProxy.SOCKET);
                env.add("HANGAR_EGRESS_PORT=" + RunContainer.EGRESS_PORT);
            }
            id = docker.createContainerCmd(plan.image())
                    .withName("hangar-" + folder.getFileName())
                    .withUser(config.containerUser())
                    .withEnv(env)
                    .withLabels(labels(config))
                    .withHostConfig(RunContainer.lockedDown(folder, plan.limits(), config.pidsLimit()))
                    .exec()
                    .getId();
            docker.startContainerCmd(id).exec();
            RunContainer.awaitReady(runtime, this::running, config.startTimeout());
            requireWarmProtocol(runtime.health());
            ready.complete(null);
        } catch (IOException | RuntimeException e) {
            ready.completeExceptionally(e);
            throw e;
        }
    }

    private void requireWarmProtocol(Health health) {
        int max = health.concurrency().map(Health.Concurrency::max).orElse(-1);
        if (max != slots) {
            throw new NotWarmCapable("the image's runtime reports concurrency.max " + max + ", not " + slots
                    + ": it predates warm containers (rebuild it FROM a current runtime image)");
        }
    }

    /** Marks a container READY (under the pool's lock, once {@link #start} returned). */
    void markReady() {
        if (state == State.STARTING) {
            state = State.READY;
        }
    }

    /** For a run that took a slot of a container another run is starting: waits for its READY. */
    void awaitReady(Duration timeout) throws IOException {
        try {
            ready.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new HangarException(ErrorCode.ERR_TIMEOUT, "the run reached its deadline while its warm container was starting");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NotWarmCapable n) {
                throw n;
            }
            if (e.getCause() instanceof HangarException h) {
                throw new HangarException(h.code(), h.getMessage(), h);
            }
            throw new IOException("the warm container did not start: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HangarException(ErrorCode.ERR_CANCELED, "the executor is shutting down");
        }
    }

    /**
     * Why it must go, or null while it is fine: its runtime's own word (DEFUNCT, SETUP_FAILED), or
     * the engine's once the runtime stops answering. Cheap: one request over the socket.
     */
    String sickness() {
        try {
            var health = probe.health();
            if ("DEFUNCT".equals(health.status()) || health.setupFailed()) {
                return "its runtime reports " + health.status();
            }
            return null;
        } catch (IOException e) {
            return running() ? null : "it stopped (" + exitState() + ")";
        }
    }

    boolean running() {
        try {
            return id != null && Boolean.TRUE.equals(docker.inspectContainerCmd(id).exec().getState().getRunning());
        } catch (NotFoundException gone) {
            return false;
        }
    }

    private String exitState() {
        try {
            var state = docker.inspectContainerCmd(id).exec().getState();
            return Boolean.TRUE.equals(state.getOOMKilled()) ? "OOM-killed; raise runtime.memory_mb"
                    : "exit code " + state.getExitCodeLong();
        } catch (NotFoundException gone) {
            return "removed";
        } catch (DockerException | jakarta.ws.rs.ProcessingException e) {
            return "engine: " + e.getMessage();
        }
    }

    /** Marks it retired (under the pool's lock); {@link #remove} does the slow part. Whether this call retired it. */
    boolean markRetired(String why) {
        if (state == State.RETIRED) {
            return false;
        }
        retiredBecause = why;
        state = State.RETIRED;
        return true;
    }

    /** Whether the container is gone (removed by whoever retired it) within {@code timeout}. */
    boolean awaitRemoved(Duration timeout) {
        try {
            removed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Kills and removes the container, then its pool folder (only once nothing inside can change it). */
    void remove(RunFolders folders) {
        for (var service : services) {
            try {
                service.close();
            } catch (Exception e) {
                LOG.debugf("closing %s: %s", service, e.getMessage());
            }
        }
        if (!Containers.remove(docker, id, "warm container (its pool folder stays)")) {
            return;
        }
        removed.complete(null);
        try {
            folders.delete(folder);
        } catch (HangarException e) {
            LOG.warnf("%s", e.getMessage());
        }
    }

    private <T extends AutoCloseable> T open(T service) {
        services.add(service);
        return service;
    }

    @Override
    public String toString() {
        return "warm container " + (id == null ? "(not created)" : id.substring(0, Math.min(12, id.length()))) + " of " + key;
    }

    /** The image's runtime cannot serve warm runs; its runs take the cold path. */
    static final class NotWarmCapable extends RuntimeException {
        NotWarmCapable(String message) {
            super(message);
        }
    }
}
