package dev.hangar.executor.docker;

import dev.hangar.contracts.Attachments;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.OutputIndex;
import dev.hangar.contracts.RunEvent;
import dev.hangar.executor.config.ExecutorConfig;
import dev.hangar.executor.service.ActiveRun;
import dev.hangar.executor.service.RunPlan;
import dev.hangar.executor.store.OutputCollector;
import dev.hangar.executor.store.OutputStore;
import dev.hangar.runtime.client.Prediction;
import dev.hangar.runtime.client.ReplyTooLargeException;
import dev.hangar.runtime.client.RunContext;
import io.opentelemetry.api.trace.Span;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * One run in a warm container (docs/warm-pool.md): a slot, a run folder of its own with its
 * inputs, the prediction with that folder as its {@code output_dir}, its own deadline and cancel
 * (the runtime cancels the one prediction; one that does not stop within the grace costs the
 * container), then the folder sealed away from the container, checked, uploaded and deleted.
 */
final class WarmRunner {
    private static final Logger LOG = Logger.getLogger(WarmRunner.class);

    private final WarmPool pool;
    private final RunFolders folders;
    private final OutputStore outputs;
    private final OutputCollector collector;
    private final ExecutorConfig config;
    private final ScheduledExecutorService timers;
    /** Never fed: a warm run's stderr_tail is its own prediction's logs, cut like the cold path's, never the container's. */
    private final ContainerLogs tails;
    private final java.util.concurrent.Executor deleter = java.util.concurrent.Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("sealed-delete-", 0).factory());

    WarmRunner(WarmPool pool, RunFolders folders, OutputStore outputs, OutputCollector collector, ExecutorConfig config,
               ScheduledExecutorService timers) {
        this.pool = pool;
        this.folders = folders;
        this.outputs = outputs;
        this.collector = collector;
        this.config = config;
        this.timers = timers;
        this.tails = new ContainerLogs(config.stderrTailLines());
    }

    /** The run's path: slot, folder and inputs, started event, deadline and cancel armed, predict, seal, outcome. */
    Envelope execute(WarmKey key, RunPlan plan, ActiveRun run, String digest) throws IOException {
        int timeout = plan.limits().timeoutSeconds();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
        var lease = pool.acquire(key, plan, run, deadline);
        var container = lease.container();
        String name = RunFolders.shortName(run.executionId() + "#" + run.command().attempt());
        Path folder = null;
        boolean sealed = false;
        var stop = new Stop(container, run.executionId() + "." + run.command().attempt());
        ScheduledFuture<?> timer = null;
        AutoCloseable egress = container.onEgressLog(line -> run.emit(new RunEvent.Log("stderr", line)));
        try {
            Span.current().addEvent(lease.hit() ? "warm slot" : "warm container started");
            folder = folders.createRun(container.folder, name);
            String inside = WarmContainer.RUNS_DIR + "/" + name;
            // the plan's input paths name the cold root; a warm run's files live in its own folder
            var resolved = plan.files().isEmpty() ? new Attachments.Resolved(plan.inputs(), java.util.Map.of())
                    : Attachments.resolve(run.command().inputs(), run.command().attachments(), inside + "/inputs/");
            stageInputs(container, folder, resolved.files());
            run.emit(new RunEvent.Started(run.command().ref(), run.adapter(), run.mode(), digest, config.id()));
            timer = timers.schedule(stop::deadline, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            run.onCancel(stop::cancel);
            if (run.canceled()) {
                return run.error(ErrorCode.ERR_CANCELED, "the run was canceled", null);
            }
            Prediction prediction;
            try {
                prediction = container.runtime.predict(stop.predictionId, resolved.inputs(),
                        new RunContext(inside + "/" + RunFolders.OUTPUTS, run.executionId()),
                        LocalAdapter.events(run));
            } finally {
                stop.ended.set(true);
            }
            folder = folders.moveOut(folder);
            folders.seal(folder);
            sealed = true;
            return outcome(key, plan, run, stop, prediction, folder);
        } catch (IOException e) {
            return broken(plan, run, container, stop, e);
        } catch (HangarException e) {
            if (stop.timedOut.get() || run.canceled()) {
                return broken(plan, run, container, stop, e);
            }
            return run.error(e.code(), e.getMessage(), null);
        } finally {
            if (timer != null) {
                timer.cancel(false);
            }
            run.onCancel(() -> { });
            close(egress);
            cleanUp(container, folder, sealed);
            pool.release(lease);
        }
    }

    /** Fetches the run's input files into its folder (still root's), then gives the folder to the container's user. */
    private void stageInputs(WarmContainer container, Path folder, java.util.Map<String, String> files) {
        files.forEach((inside, artefact) -> {
            Path target = folders.hostPath(container.folder, inside);
            if (!target.startsWith(folder.resolve(RunFolders.INPUTS))) {
                throw new HangarException(ErrorCode.ERR_ATTACHMENT_INVALID, "input path " + inside + " leaves the run folder");
            }
            outputs.download(artefact, target);
        });
        folders.handOver(folder);
    }

    private Envelope outcome(WarmKey key, RunPlan plan, ActiveRun run, Stop stop, Prediction prediction, Path sealed) {
        if (run.canceled()) {
            return run.error(ErrorCode.ERR_CANCELED, "the run was canceled", tails.tail(prediction.logs()));
        }
        if (stop.timedOut.get()) {
            return timedOut(plan, run, stop, tails.tail(prediction.logs()));
        }
        if (!prediction.succeeded()) {
            return LocalAdapter.failed(run, prediction, tails.tail(prediction.logs()));
        }
        var files = collector.collect(sealed.resolve(RunFolders.OUTPUTS)); // every file checked before the first upload
        var stored = outputs.upload(files, plan.writePrefix(), run.executionId(), ref -> run.emit(new RunEvent.Output(ref)));
        pool.succeeded(key);
        if (run.command().endsSession() && key.session() != null) {
            pool.retire(stop.container, "its training session " + key.session() + " was closed"); // frees it now, not at idle_seconds
        }
        return run.success(stored, OutputIndex.pathUnder(plan.writePrefix()));
    }

    /** The prediction broke off: its cancel or deadline explains it first, then the container's end. */
    private Envelope broken(RunPlan plan, ActiveRun run, WarmContainer container, Stop stop, Exception e) {
        if (run.canceled()) {
            return run.error(ErrorCode.ERR_CANCELED, "the run was canceled", null);
        }
        if (stop.timedOut.get()) {
            return timedOut(plan, run, stop, null);
        }
        if (e instanceof ReplyTooLargeException) {
            pool.retire(container, "a reply of run " + run.executionId() + " was too large; its prediction may still run");
            return run.error(ErrorCode.ERR_OUTPUT_LIMIT, e.getMessage() + " (hangar.executor.limits.max-reply-bytes)", null);
        }
        if (e instanceof HangarException h && h.code() != ErrorCode.ERR_CONTAINER_FAILED) {
            return run.error(h.code(), h.getMessage(), null);
        }
        String why = container.retiredBecause();
        if (why == null) {
            why = container.running() ? "the connection to it broke (" + e.getMessage() + ")" : "it stopped mid-run";
            pool.retire(container, why + " during run " + run.executionId());
        }
        return run.error(ErrorCode.ERR_CONTAINER_FAILED, "the warm container serving the run was lost: " + why, null);
    }

    private Envelope timedOut(RunPlan plan, ActiveRun run, Stop stop, String logs) {
        return run.error(ErrorCode.ERR_TIMEOUT, "the run did not finish within its " + plan.limits().timeoutSeconds()
                + " s deadline" + (stop.killed.get() ? "; its prediction did not stop, so its warm container was removed" : ""), logs);
    }

    private static void close(AutoCloseable handle) {
        try {
            handle.close();
        } catch (Exception e) {
            LOG.debugf("%s", e.getMessage());
        }
    }

    /**
     * Deletes the run's folder, never while the container could still change it: a folder not
     * sealed yet is sealed first, and one that cannot be sealed costs the container before it is
     * deleted (a delete walking a tree the container can still change could be steered by a link).
     */
    private void cleanUp(WarmContainer container, Path folder, boolean sealed) {
        if (folder == null) {
            return;
        }
        try {
            if (!sealed) {
                if (folder.startsWith(container.folder)) {
                    folder = folders.moveOut(folder);
                }
                folders.seal(folder);
            }
        } catch (HangarException e) {
            pool.retire(container, "a run folder could not be sealed: " + e.getMessage());
            if (!container.awaitRemoved(java.time.Duration.ofSeconds(30))) {
                LOG.warnf("leaving %s: its container is not removed yet", folder);
                return;
            }
        }
        Path gone = folder;
        // sealed, no container sees it any more: its removal need not hold up the envelope
        deleter.execute(() -> {
            try {
                folders.delete(gone);
            } catch (HangarException e) {
                LOG.warnf("%s", e.getMessage());
            }
        });
    }

    /** Deadline and cancel of one prediction: the runtime is asked to cancel it, the container goes if it does not stop. */
    private final class Stop {
        final WarmContainer container;
        final String predictionId;
        final AtomicBoolean timedOut = new AtomicBoolean();
        final AtomicBoolean ended = new AtomicBoolean();
        final AtomicBoolean killed = new AtomicBoolean();
        private final AtomicBoolean asked = new AtomicBoolean();

        Stop(WarmContainer container, String predictionId) {
            this.container = container;
            this.predictionId = predictionId;
        }

        void deadline() {
            timedOut.set(true);
            cancel();
        }

        void cancel() {
            if (ended.get() || !asked.compareAndSet(false, true)) {
                return;
            }
            try {
                container.runtime.cancel(predictionId);
            } catch (IOException e) {
                LOG.debugf("runtime cancel of %s: %s", predictionId, e.getMessage());
            }
            timers.schedule(() -> {
                if (!ended.get()) {
                    killed.set(true);
                    pool.retire(container, "prediction " + predictionId + " did not stop within the cancel grace");
                }
            }, config.cancelGrace().toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
