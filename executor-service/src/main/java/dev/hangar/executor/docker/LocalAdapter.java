package dev.hangar.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.RunEvent;
import dev.hangar.executor.config.ExecutorConfig;
import dev.hangar.executor.service.ActiveRun;
import dev.hangar.executor.service.RunAdapter;
import dev.hangar.executor.service.RunPlan;
import dev.hangar.executor.store.OutputStore;
import dev.hangar.runtime.client.Prediction;
import dev.hangar.runtime.client.RuntimeClient;
import dev.hangar.runtime.client.StreamEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Runs a processor image on this host's Docker engine: pulled by digest, started unprivileged
 * with resource limits (mock mode: no network at all), reached through a unix socket in the
 * mounted run folder, removed afterwards whatever happened.
 */
@ApplicationScoped
public class LocalAdapter implements RunAdapter {
    private static final Logger LOG = Logger.getLogger(LocalAdapter.class);
    static final String IO_DIR = "/hangar/io";
    static final String LABEL_MANAGED = "dev.hangar.managed";
    static final String LABEL_EXECUTOR = "dev.hangar.executor";
    static final String LABEL_EXECUTION = "dev.hangar.execution_id";

    private final DockerClient docker;
    private final ImageResolver images;
    private final RunFolders folders;
    private final OutputStore outputs;
    private final ExecutorConfig config;
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("run-deadlines").factory());

    public LocalAdapter(DockerClient docker, ImageResolver images, RunFolders folders, OutputStore outputs,
                        ExecutorConfig config) {
        this.docker = docker;
        this.images = images;
        this.folders = folders;
        this.outputs = outputs;
        this.config = config;
    }

    @Override
    public dev.hangar.contracts.Adapter name() {
        return dev.hangar.contracts.Adapter.LOCAL;
    }

    @Override
    public Envelope execute(RunPlan plan, ActiveRun run) {
        if (plan.limits().gpus() > 0) {
            throw new HangarException(ErrorCode.ERR_ADAPTER_UNAVAILABLE, plan.spec().ref() + " needs "
                    + plan.limits().gpus() + " GPU(s) and this executor has none; use --adapter remote");
        }
        if (run.platform() != config.platform()) {
            throw new HangarException(ErrorCode.ERR_PLATFORM_UNSUPPORTED, "this executor runs " + config.platform()
                    + " images and the run asks for " + run.platform() + "; use --platform " + config.platform()
                    + " or an executor on a " + run.platform() + " host");
        }
        String digest = images.ensure(plan, run.platform());
        run.ranImage(digest, Fingerprint.of(plan, run));
        var folder = folders.create(run.executionId(), run.command().attempt());
        String containerId = null;
        boolean keep = false;
        var logs = new ContainerLogs(config.stderrTailLines());
        var timedOut = new AtomicBoolean();
        java.util.concurrent.ScheduledFuture<?> deadline = null;
        try {
            plan.files().forEach((inside, artefact) -> outputs.download(artefact, folders.hostPath(folder, inside)));
            folders.handOver(folder);
            containerId = create(plan, run, folder);
            docker.startContainerCmd(containerId).exec();
            docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true).withFollowStream(true).exec(logs);
            run.emit(new RunEvent.Started(run.command().ref(), run.adapter(), run.mode(), digest, config.id()));
            String id = containerId;
            deadline = deadlines.schedule(() -> {
                timedOut.set(true);
                kill(id);
            }, plan.limits().timeoutSeconds(), TimeUnit.SECONDS);

            var client = RuntimeClient.unixSocket(folders.socket(folder));
            run.onCancel(() -> stop(client, run.executionId(), id));
            awaitReady(client, containerId, logs);
            Prediction prediction = client.predict(run.executionId(), plan.inputs(), event -> run.emit(toBody(event)));
            if (run.canceled()) {
                return run.error(ErrorCode.ERR_CANCELED, "the run was canceled", logs.tail());
            }
            if (!prediction.succeeded()) {
                return run.error(ErrorCode.ERR_PROCESSOR_FAILED, "the processor failed: " + prediction.error(),
                        tail(prediction.logs(), logs));
            }
            var stored = outputs.upload(folders.outputs(folder), plan.writePrefix(), run.executionId(),
                    ref -> run.emit(new RunEvent.Output(ref)));
            return run.success(stored, OutputStore.indexPath(plan.writePrefix()));
        } catch (IOException | HangarException | DockerException e) {
            if (run.canceled()) {
                return run.error(ErrorCode.ERR_CANCELED, "the run was canceled", logs.tail());
            }
            if (timedOut.get()) {
                return run.error(ErrorCode.ERR_TIMEOUT, "the run did not finish within its "
                        + plan.limits().timeoutSeconds() + " s deadline; the container was removed", logs.tail());
            }
            if (e instanceof HangarException h) {
                return run.error(h.code(), h.getMessage(), logs.tail());
            }
            return run.error(ErrorCode.ERR_CONTAINER_FAILED, exitReason(containerId, e), logs.tail());
        } finally {
            if (deadline != null) {
                deadline.cancel(false);
            }
            closeQuietly(logs);
            if (plan.keepContainer() && containerId != null) {
                LOG.infof("keeping container %s of run %s for debugging (adapter_opts.keep_container)", containerId, run.executionId());
            } else {
                remove(containerId);
                folders.delete(folder);
            }
        }
    }

    /** Asks the runtime to cancel the prediction, then kills the container if it has not ended after the grace period. */
    private void stop(RuntimeClient client, String predictionId, String containerId) {
        try {
            client.cancel(predictionId);
        } catch (IOException e) {
            LOG.debugf("runtime cancel of %s: %s", predictionId, e.getMessage());
        }
        deadlines.schedule(() -> kill(containerId), config.cancelGrace().toMillis(), TimeUnit.MILLISECONDS);
    }

    private String create(RunPlan plan, ActiveRun run, java.nio.file.Path folder) {
        var limits = plan.limits();
        long memory = limits.memoryMb() * 1024L * 1024L;
        var host = HostConfig.newHostConfig()
                // Mock runs get no network at all; real runs may call out, through the host (never a bridge).
                .withNetworkMode(plan.mock() ? "none" : "host")
                .withBinds(new Bind(folder.toString(), new Volume(IO_DIR)))
                .withMemory(memory)
                .withMemorySwap(memory)
                .withNanoCPUs((long) (limits.cpu() * 1_000_000_000L))
                .withPidsLimit(config.pidsLimit())
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withReadonlyRootfs(true)
                .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,size=256m"));
        var env = new java.util.ArrayList<>(List.of("HANGAR_MODE=" + run.mode().wire(),
                "HANGAR_SOCKET=" + IO_DIR + "/" + RunFolders.SOCKET,
                "HANGAR_OUTPUT_DIR=" + IO_DIR + "/" + RunFolders.OUTPUTS,
                "HANGAR_EXECUTION_ID=" + run.executionId()));
        plan.secrets().forEach((name, value) -> env.add(name + "=" + value));
        return docker.createContainerCmd(plan.image())
                .withName("hangar-" + folder.getFileName())
                .withUser(config.containerUser())
                .withEnv(env)
                .withLabels(Map.of(LABEL_MANAGED, "true", LABEL_EXECUTOR, config.id(), LABEL_EXECUTION, run.executionId()))
                .withHostConfig(host)
                .exec()
                .getId();
    }

    /** Polls the runtime's health until READY; a dead container or failed setup ends the wait. */
    private void awaitReady(RuntimeClient client, String containerId, ContainerLogs logs) throws IOException {
        long deadline = System.nanoTime() + config.startTimeout().toNanos();
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            try {
                var health = client.health();
                if (health.ready()) {
                    return;
                }
                if (health.setupFailed()) {
                    throw new HangarException(ErrorCode.ERR_SETUP_FAILED, "the processor's setup() failed");
                }
            } catch (IOException notListeningYet) {
                if (attempt % 8 == 7 && !Boolean.TRUE.equals(docker.inspectContainerCmd(containerId).exec().getState().getRunning())) {
                    throw new IOException("the container exited before its runtime answered");
                }
            }
            sleep(Duration.ofMillis(attempt < 40 ? 10 : 100));
        }
        throw new HangarException(ErrorCode.ERR_CONTAINER_FAILED, "the container's runtime did not become READY within "
                + config.startTimeout().toSeconds() + " s; does the image run the Hangar runtime?");
    }

    private static RunEvent.Body toBody(StreamEvent event) {
        var data = event.data();
        return switch (event.type()) {
            case "token" -> new RunEvent.Token(data.path("text").asText());
            case "progress" -> new RunEvent.Progress(data.path("fraction").asDouble(),
                    data.hasNonNull("message") ? data.get("message").asText() : null);
            default -> new RunEvent.Log(data.path("stream").asText("stdout"), data.path("line").asText());
        };
    }

    private String exitReason(String containerId, Exception cause) {
        if (containerId == null) {
            return "the container could not be created: " + cause.getMessage();
        }
        try {
            var state = docker.inspectContainerCmd(containerId).exec().getState();
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

    private static String tail(String predictionLogs, ContainerLogs logs) {
        if (predictionLogs == null || predictionLogs.isBlank()) {
            return logs.tail();
        }
        String[] lines = predictionLogs.strip().split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 40), lines.length));
    }

    private void kill(String containerId) {
        try {
            docker.killContainerCmd(containerId).exec();
        } catch (DockerException e) {
            LOG.debugf("kill %s: %s", containerId, e.getMessage());
        }
    }

    private void remove(String containerId) {
        if (containerId == null) {
            return;
        }
        try {
            docker.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException ignored) {
            // already gone
        } catch (DockerException e) {
            LOG.warnf("could not remove container %s: %s", containerId, e.getMessage());
        }
    }

    private static void closeQuietly(ContainerLogs logs) {
        try {
            logs.close();
        } catch (IOException ignored) {
            // the stream ends with the container anyway
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HangarException(ErrorCode.ERR_CANCELED, "the executor is shutting down");
        }
    }
}
