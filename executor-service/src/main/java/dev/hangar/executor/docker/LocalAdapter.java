package dev.hangar.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.OutputIndex;
import dev.hangar.contracts.RunEvent;
import dev.hangar.executor.config.CogConfig;
import dev.hangar.executor.config.ExecutorConfig;
import dev.hangar.executor.config.LimitsConfig;
import dev.hangar.executor.config.WarmConfig;
import dev.hangar.executor.metrics.ExecutorMeters;
import dev.hangar.executor.service.ActiveRun;
import dev.hangar.executor.service.RunAdapter;
import dev.hangar.executor.service.RunPlan;
import dev.hangar.executor.store.OutputCollector;
import dev.hangar.executor.store.OutputStore;
import dev.hangar.runtime.client.Prediction;
import dev.hangar.runtime.client.ReplyTooLargeException;
import dev.hangar.runtime.client.StreamEvent;
import io.opentelemetry.api.trace.Span;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Runs a processor image on this host's Docker engine: pulled by digest, started unprivileged
 * with resource limits and no network (real mode's allowed egress goes through a proxy on a unix
 * socket), reached through a unix socket in the mounted run folder, stopped before its outputs
 * are read, removed afterwards whatever happened ({@link RunContainer}). A spec with a {@code warm}
 * block runs in a warm container instead ({@link WarmPool}, {@link WarmRunner}, docs/warm-pool.md).
 * An unmodified Cog image ({@code server: cog-http}) runs cold, in mock mode only, behind a
 * {@link CogForwarder} sidecar; its data-URL outputs become files ({@link CogOutputs}).
 */
@ApplicationScoped
public class LocalAdapter implements RunAdapter {
    private final DockerClient docker;
    private final ImageResolver images;
    private final RunFolders folders;
    private final OutputStore outputs;
    private final ExecutorConfig config;
    private final LimitsConfig limits;
    private final OutputCollector collector;
    private final HostPlatform host;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("run-deadlines").factory());
    private final WarmPool warm;
    private final WarmRunner warmRuns;
    private final CogConfig cog;

    /** Without a warm pool of its own making: every run of a spec with a {@code warm} block shares {@code warm}. */
    @Inject
    public LocalAdapter(DockerClient docker, ImageResolver images, RunFolders folders, OutputStore outputs,
                        ExecutorConfig config, LimitsConfig limits, WarmPool warm, CogConfig cog) {
        this.cog = cog;
        this.limits = limits;
        this.collector = new OutputCollector(limits.maxOutputFiles(), limits.maxOutputBytes());
        this.docker = docker;
        this.images = images;
        this.folders = folders;
        this.outputs = outputs;
        this.config = config;
        this.host = new HostPlatform(config.platform());
        this.warm = warm;
        this.warmRuns = new WarmRunner(warm, folders, outputs, collector, config, timers);
    }

    /** With the default Cog forwarder image. */
    public LocalAdapter(DockerClient docker, ImageResolver images, RunFolders folders, OutputStore outputs,
                        ExecutorConfig config, LimitsConfig limits, WarmPool warm) {
        this(docker, images, folders, outputs, config, limits, warm, CogConfig.DEFAULTS);
    }

    /** With a warm pool of default settings of its own (tests). */
    public LocalAdapter(DockerClient docker, ImageResolver images, RunFolders folders, OutputStore outputs,
                        ExecutorConfig config, LimitsConfig limits) {
        this(docker, images, folders, outputs, config, limits, new WarmPool(docker, folders, config, limits, WarmConfig.DEFAULTS));
    }

    /** Its warm pool (tests look into it, and close it). */
    WarmPool warmPool() {
        return warm;
    }

    @Override
    public Adapter name() {
        return Adapter.LOCAL;
    }

    @Override
    public Envelope execute(RunPlan plan, ActiveRun run) {
        requireRunnableHere(plan, run);
        if (plan.spec().cogHttp() && !plan.mock()) {
            return run.error(ErrorCode.ERR_ADAPTER_UNAVAILABLE, plan.spec().ref() + " is an unmodified Cog image "
                    + "(server: cog-http), which runs in mock mode only: a Cog server speaks neither Hangar's secret hand-off "
                    + "nor its egress proxy; run it with --mode mock, or rebuild it FROM the Hangar runtime (hangar build)", null);
        }
        WarmKey key = plan.spec().cogHttp() ? null : warm.keyFor(plan, run);
        if (key != null) {
            // a live warm container of the image proves it is here and was verified when that container started
            String digest = warm.hasLive(plan.image()) ? verified(plan) : images.ensure(plan, run.platform());
            run.ranImage(digest, Fingerprint.of(plan, run));
            try {
                return warmRuns.execute(key, plan, run, digest);
            } catch (WarmContainer.NotWarmCapable e) {
                // the image's runtime predates warm containers: this run, and later ones of it, go cold
            } catch (HangarException e) {
                return run.error(e.code(), e.getMessage(), null);
            } catch (IOException | DockerException e) {
                return run.error(ErrorCode.ERR_CONTAINER_FAILED, "the warm container did not start: " + e.getMessage(), null);
            }
        }
        ExecutorMeters.warmRun("cold");
        String digest = images.ensure(plan, run.platform());
        run.ranImage(digest, Fingerprint.of(plan, run));
        try (var container = new RunContainer(docker, folders, config, limits, timers, run, plan.keepContainer(),
                cog.forwarderImage())) {
            return runIn(container, plan, run, digest);
        }
    }

    /** What {@link ImageResolver#ensure} returns for the plan's image, without asking the engine again. */
    private static String verified(RunPlan plan) {
        return dev.hangar.contracts.LocalBuild.isImageId(plan.image()) ? plan.image() : plan.digest();
    }

    @Override
    public void removeLeftovers(String executionId) {
        OrphanReaper.removeRun(docker, executionId);
    }

    /** The container's life: inputs in, start, deadline and cancel armed, READY, predict, outcome. */
    private Envelope runIn(RunContainer container, RunPlan plan, ActiveRun run, String digest) {
        try {
            stageInputs(plan, container);
            container.start(plan, run);
            ExecutorMeters.containerStarted();
            Span.current().addEvent("container started"); // events on the run's span: cheaper than a span per step
            run.emit(new RunEvent.Started(run.command().ref(), run.adapter(), run.mode(), digest, config.id()));
            container.killAfter(Duration.ofSeconds(plan.limits().timeoutSeconds()));
            run.onCancel(() -> container.stop(run.executionId()));
            container.awaitReady(config.startTimeout());
            Span.current().addEvent("runtime ready");
            Prediction prediction = container.runtime().predict(run.executionId(), plan.inputs(), events(run));
            return outcome(plan, run, container, prediction);
        } catch (IOException | HangarException | DockerException e) {
            return failure(plan, run, container, e);
        }
    }

    /**
     * GPUs need the remote adapter (a pool executor's capacity decides whether its host has them);
     * the platform must be this host's.
     */
    private void requireRunnableHere(RunPlan plan, ActiveRun run) {
        if (plan.limits().gpus() > 0 && run.adapter() == Adapter.LOCAL) {
            throw new HangarException(ErrorCode.ERR_ADAPTER_UNAVAILABLE, plan.spec().ref() + " needs "
                    + plan.limits().gpus() + " GPU(s) and this executor has none; use --adapter "
                    + Adapter.REMOTE.wire());
        }
        host.requireRun(run.platform());
    }

    /** Fetches the run's input files into its folder, then gives the folder to the container's user. */
    private void stageInputs(RunPlan plan, RunContainer container) {
        plan.files().forEach((inside, artefact) -> outputs.download(artefact, folders.hostPath(container.folder(), inside)));
        folders.handOver(container.folder());
    }

    /**
     * A failed prediction's envelope: ERR_PROCESSOR_FAILED, or the code its message starts with
     * when that is one a processor may raise ({@link ErrorCode#RAISED_BY_PROCESSORS}).
     */
    public static Envelope failed(ActiveRun run, Prediction prediction, String logs) {
        var raised = ErrorCode.raisedBy(prediction.error());
        if (raised.isPresent()) {
            return run.error(raised.get().code(), raised.get().getMessage(), logs);
        }
        return run.error(ErrorCode.ERR_PROCESSOR_FAILED, "the processor failed: " + prediction.error(), logs);
    }

    /** A prediction that ended: canceled, failed, or its outputs uploaded with outputs.json last. */
    private Envelope outcome(RunPlan plan, ActiveRun run, RunContainer container, Prediction prediction) {
        if (run.canceled()) {
            return canceled(run, container);
        }
        if (!prediction.succeeded()) {
            return failed(run, prediction, container.tail(prediction.logs()));
        }
        container.stopForReading();
        if (plan.spec().cogHttp()) {
            CogOutputs.write(prediction.output(), container.outputs()); // the container is stopped: only the executor writes
        }
        var files = collector.collect(container.outputs()); // every file checked before the first upload
        var stored = outputs.upload(files, plan.writePrefix(), run.executionId(), ref -> run.emit(new RunEvent.Output(ref)));
        return run.success(stored, OutputIndex.pathUnder(plan.writePrefix()));
    }

    /** A run that broke off: a cancel or the deadline explains it first, then the error's own code, then the engine. */
    private Envelope failure(RunPlan plan, ActiveRun run, RunContainer container, Exception e) {
        if (run.canceled()) {
            return canceled(run, container);
        }
        if (container.timedOut()) {
            return run.error(ErrorCode.ERR_TIMEOUT, "the run did not finish within its "
                    + plan.limits().timeoutSeconds() + " s deadline; the container was removed", container.tail());
        }
        if (e instanceof HangarException h) {
            return run.error(h.code(), h.getMessage(), container.tail());
        }
        if (e instanceof ReplyTooLargeException) {
            return run.error(ErrorCode.ERR_OUTPUT_LIMIT, e.getMessage() + " (hangar.executor.limits.max-reply-bytes)",
                    container.tail());
        }
        return run.error(ErrorCode.ERR_CONTAINER_FAILED, container.exitReason(e), container.tail());
    }

    private static Envelope canceled(ActiveRun run, RunContainer container) {
        return run.error(ErrorCode.ERR_CANCELED, "the run was canceled", container.tail());
    }

    /** Where a prediction's stream goes: its run events to the run; Cog's start, metric and non-text output are none. */
    public static java.util.function.Consumer<StreamEvent> events(ActiveRun run) {
        return event -> {
            if (event.isRunEvent()) {
                run.emit(toBody(event));
            }
        };
    }

    /**
     * The runtime's SSE events as run events; anything but a token or progress is a log line. The
     * container is not trusted: a stream is stdout or stderr, a fraction a number in [0, 1].
     */
    static RunEvent.Body toBody(StreamEvent event) {
        var data = event.data();
        return switch (event.type()) {
            case "token" -> new RunEvent.Token(data.path("text").asText());
            case "progress" -> new RunEvent.Progress(fraction(data.path("fraction").asDouble()),
                    data.hasNonNull("message") ? data.get("message").asText() : null);
            default -> new RunEvent.Log("stderr".equals(data.path("stream").asText()) ? "stderr" : "stdout",
                    data.path("line").asText());
        };
    }

    private static double fraction(double f) {
        return Double.isNaN(f) ? 0 : Math.min(1, Math.max(0, f));
    }
}
