package dev.hangar.executor.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.OutputIndex;
import dev.hangar.contracts.RunEvent;
import dev.hangar.executor.docker.LocalAdapter;
import dev.hangar.executor.docker.RunFolders;
import dev.hangar.executor.service.ActiveRun;
import dev.hangar.executor.service.RunPlan;
import dev.hangar.runtime.client.Prediction;
import dev.hangar.runtime.client.StreamEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One run's Slurm job, from the staged folder to the envelope: stage the inputs, the request and
 * the driver in the shared folder, submit, follow the job and its events file (saying where it
 * waits while Slurm keeps it pending), cancel it on the run's cancel, deadline or the executor's
 * stop, then collect the outputs once its script reported the container gone. {@link SlurmAdapter}
 * holds what all jobs share (the client, the settings, the jobs in flight).
 */
final class SlurmJob {
    private static final Logger LOG = Logger.getLogger(SlurmJob.class);

    private final SlurmAdapter adapter;
    private final RunPlan plan;
    private final ActiveRun run;
    private final RunFolders shared;
    private final Path folder;
    private final Path output;
    private final Path marker;
    private final Path heartbeat;
    private long beaten;
    private final EventsTail events;
    private final Consumer<StreamEvent> stream;
    private final String digest;
    private volatile Long jobId;
    private volatile boolean ended;
    private SlurmWire.JobInfo last;
    private boolean started;
    private String waiting;
    private Prediction prediction;
    private String failure;
    private boolean setupFailed;
    private String requeued;

    SlurmJob(SlurmAdapter adapter, RunPlan plan, ActiveRun run, RunFolders shared, Path folder, String digest) {
        this.adapter = adapter;
        this.digest = digest;
        this.plan = plan;
        this.run = run;
        this.shared = shared;
        this.folder = folder;
        Path jobs = folder.getParent().resolve(SlurmAdapter.JOBS);
        this.output = jobs.resolve(folder.getFileName() + ".out");
        this.marker = jobs.resolve(folder.getFileName() + ".done");
        this.heartbeat = jobs.resolve(folder.getFileName() + ".alive");
        this.events = new EventsTail(folder.resolve(SlurmAdapter.EVENTS), adapter.limits.maxReplyBytes());
        this.stream = LocalAdapter.events(run);
    }

    Envelope run() {
        stage();
        jobId = submit();
        LOG.infof("run %s is Slurm job %d", run.executionId(), jobId);
        adapter.live.add(this);
        run.onCancel(this::cancelJob);
        if (adapter.stopping) {
            cancelJob(); // submitted while the executor began to stop
        }
        return follow();
    }

    /** Inputs, the request, the secrets (0600) and the driver into the run folder, then all of it to the container's user. */
    private void stage() {
        try {
            Files.createDirectories(folder.getParent().resolve(SlurmAdapter.JOBS));
            Files.deleteIfExists(output);
            Files.deleteIfExists(marker);
            Files.write(heartbeat, new byte[0]);
            plan.files().forEach((inside, artefact) -> adapter.outputs.download(artefact, shared.hostPath(folder, inside)));
            var request = SlurmClient.JSON.createObjectNode().put("id", run.executionId());
            request.set("input", plan.inputs());
            request.putObject("context").put("execution_id", run.executionId());
            Files.write(folder.resolve(SlurmAdapter.REQUEST), SlurmClient.JSON.writeValueAsBytes(request));
            if (!plan.secrets().isEmpty()) {
                Path secrets = Files.createFile(folder.resolve(SlurmAdapter.SECRETS),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.write(secrets, SlurmClient.JSON.writeValueAsBytes(plan.secrets()));
            }
            try (InputStream driver = SlurmAdapter.class.getResourceAsStream(SlurmAdapter.DRIVER)) {
                Files.write(folder.resolve(SlurmAdapter.DRIVER), driver.readAllBytes());
            }
            shared.handOver(folder);
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_INTERNAL, "cannot stage the run in the shared folder " + folder + ": "
                    + e.getMessage(), e);
        }
    }

    private long submit() {
        var limits = plan.limits();
        var script = new JobScript(run.executionId(), adapter.config.id(), plan.image(), folder, marker,
                "hangar-" + folder.getFileName(), run.mode().wire(), adapter.config.containerUser(), adapter.config.pidsLimit(),
                adapter.config.startTimeout().toSeconds(), limits, adapter.slurm.docker(), adapter.slurm.dockerGpus(), heartbeat,
                adapter.slurm.heartbeatTimeout().toSeconds());
        var job = SlurmAdapter.jobProperties(run.executionId(), adapter.slurm.partition().orElse(null), folder, output, limits);
        try {
            return adapter.client.submit(new SlurmWire.Submission(script.render(), job));
        } catch (HangarException e) {
            if (e.code() != ErrorCode.ERR_NO_CAPACITY) {
                throw e;
            }
            throw new HangarException(ErrorCode.ERR_NO_CAPACITY, "no node of Slurm partition " + adapter.partitionName()
                    + " can ever take the run: it asks for " + SlurmAdapter.asks(job) + " (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_ADAPTER_INVOCATION, "cannot submit the run's job to slurmrestd at "
                    + adapter.slurm.restUrl() + ": " + e.getMessage(), e);
        }
    }

    /** Polls the job and the events file until the job has ended and its script reported the container gone. */
    private Envelope follow() {
        long deadline = Long.MAX_VALUE;
        var waitLimit = PendingLimit.of(adapter.slurm.maxPending(), run.command());
        long unreachableSince = 0;
        boolean timedOut = false;
        Failure pendingFailure = null;
        requeued = null;
        while (true) {
            Optional<SlurmWire.JobInfo> info;
            try {
                info = adapter.client.job(jobId);
                unreachableSince = 0;
            } catch (IOException e) {
                long now = System.nanoTime();
                unreachableSince = unreachableSince == 0 ? now : unreachableSince;
                if (now - unreachableSince > adapter.slurm.unreachableGrace().toNanos()) {
                    cancelJob();
                    return run.error(ErrorCode.ERR_ADAPTER_INVOCATION, "lost slurmrestd at " + adapter.slurm.restUrl() + " for "
                            + adapter.slurm.unreachableGrace().toSeconds() + " s while following Slurm job " + jobId + ": "
                            + e.getMessage() + "; the job was canceled", null);
                }
                pause();
                continue;
            }
            last = info.orElse(last);
            if (!started && (info.isEmpty() || info.get().running() || (info.get().ended() && info.get().placed()))) {
                started = true;
                deadline = System.nanoTime() + Duration.ofSeconds(plan.limits().timeoutSeconds()).toNanos();
                run.emit(new RunEvent.Started(run.command().ref(), run.adapter(), run.mode(),
                        digest, adapter.config.id()));
            }
            drainEvents();
            beat();
            if (info.isEmpty() || info.get().ended()) {
                break;
            }
            if (requeued == null && info.get().requeued()) {
                // the run's folder has been used: a second start would not be this run; Hangar retries per its policy
                requeued = "Slurm requeued job " + jobId + " (its node failed or it was preempted; now "
                        + info.get().describe() + ", restarts " + info.get().restartCnt() + "); the job was canceled";
                cancelJob();
            }
            if (!timedOut && System.nanoTime() > deadline) {
                timedOut = true;
                cancelJob();
            }
            if (pendingFailure == null && !started) {
                pendingFailure = whilePending(info.get(), waitLimit);
                if (pendingFailure != null) {
                    cancelJob();
                }
            }
            pause();
        }
        ended = true;
        awaitCleanup();
        drainEvents();
        return outcome(timedOut, pendingFailure);
    }

    /**
     * A job Slurm keeps PENDING: the run says where it waits (a queued event whenever the
     * reason changes); a reason that needs someone to act fails it now, the capacity deadline
     * fails it later (ERR_NO_CAPACITY when Slurm had no room, see {@link PendingReason}).
     */
    private Failure whilePending(SlurmWire.JobInfo job, PendingLimit limit) {
        String partition = job.partition() == null || job.partition().isBlank() ? adapter.partitionName() : job.partition();
        String reason = SlurmAdapter.reasonText(job);
        String where = "pending in Slurm partition " + partition + ": " + reason + " (job " + jobId + ")";
        if (!where.equals(waiting) && !"None".equals(reason)) { // None: just submitted, not yet looked at
            waiting = where;
            run.emit(new RunEvent.Queued(run.command().ref(), run.adapter(), run.mode(), where));
        }
        var kind = PendingReason.of(job.stateReason());
        if (kind == PendingReason.REFUSED) {
            return new Failure(ErrorCode.ERR_ADAPTER_INVOCATION, "Slurm holds job " + jobId + " in partition " + partition
                    + " for a reason that needs someone to act: " + reason + "; the job was canceled");
        }
        if (!limit.passed()) {
            return null;
        }
        return kind == PendingReason.CAPACITY
                ? new Failure(ErrorCode.ERR_NO_CAPACITY, "no node of Slurm partition " + partition + " took the run within "
                        + limit.describe() + ": job " + jobId + " was still PENDING (reason " + reason + "); the job was canceled")
                : new Failure(ErrorCode.ERR_ADAPTER_INVOCATION, "Slurm job " + jobId + " was still PENDING in partition "
                        + partition + " after " + limit.describe() + " (reason " + reason + "); the job was canceled");
    }

    private Envelope outcome(boolean timedOut, Failure pendingFailure) {
        String state = last == null ? "UNKNOWN" : last.jobState();
        if (run.canceled()) {
            return run.error(ErrorCode.ERR_CANCELED, "the run was canceled", tail(null));
        }
        if (adapter.stopping && !"COMPLETED".equals(state)) {
            return run.error(ErrorCode.ERR_ADAPTER_INVOCATION, "executor " + adapter.config.id() + " was stopped while the run's "
                    + "Slurm job " + jobId + " was " + (started ? "running" : "queued") + "; the job was canceled "
                    + "(nothing is left in Slurm); submit the run again", tail(null));
        }
        if (timedOut || "TIMEOUT".equals(state)) {
            return run.error(ErrorCode.ERR_TIMEOUT, "the run did not finish within its " + plan.limits().timeoutSeconds()
                    + " s deadline; its Slurm job " + jobId + " was canceled", tail(null));
        }
        if (pendingFailure != null) {
            return run.error(pendingFailure.code(), pendingFailure.message(), null);
        }
        if (requeued != null) {
            return run.error(ErrorCode.ERR_ADAPTER_INVOCATION, requeued, tail(null));
        }
        if (!"COMPLETED".equals(state) && !("FAILED".equals(state) && (prediction != null || setupFailed))) {
            return run.error(ErrorCode.ERR_ADAPTER_INVOCATION, "Slurm job " + jobId + " ended "
                    + (last == null ? "unknown to Slurm" : last.describe()), tail(null));
        }
        if (setupFailed) {
            return run.error(ErrorCode.ERR_SETUP_FAILED, "the processor's setup() failed", tail(null));
        }
        if (prediction == null) {
            return run.error(ErrorCode.ERR_CONTAINER_FAILED, failure != null ? failure
                    : "Slurm job " + jobId + " ended " + last.describe() + " without a result from the run's container", tail(null));
        }
        if (prediction.canceled()) {
            return run.error(ErrorCode.ERR_CANCELED, "the run was canceled", tail(prediction.logs()));
        }
        if (!prediction.succeeded()) {
            return LocalAdapter.failed(run, prediction, tail(prediction.logs()));
        }
        var files = adapter.collector.collect(shared.outputs(folder)); // the container is gone: nothing changes the folder now
        var stored = adapter.outputs.upload(files, plan.writePrefix(), run.executionId(), ref -> run.emit(new RunEvent.Output(ref)));
        return run.success(stored, OutputIndex.pathUnder(plan.writePrefix()));
    }

    private void drainEvents() {
        for (var event : events.read()) {
            switch (event.event()) {
                case "completed", "done" -> prediction = prediction(event.data());
                case "setup_failed" -> setupFailed = true;
                case "driver_error" -> failure = event.data().path("message").asText("the run's container failed");
                case "container" -> { }
                default -> stream.accept(StreamEvent.of(event.event(), event.data()));
            }
        }
    }

    /** Touches the heartbeat file the job's watchdog reads (at most once a second). */
    private void beat() {
        long now = System.nanoTime();
        if (now - beaten < 1_000_000_000L) {
            return;
        }
        beaten = now;
        try {
            Files.setLastModifiedTime(heartbeat, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
        } catch (IOException e) {
            LOG.debugf("cannot touch %s: %s", heartbeat, e.getMessage());
        }
    }

    /** The job's script writes the marker after removing the container; a node that died never does. */
    private void awaitCleanup() {
        if (!started && (last == null || !last.placed())) {
            return; // never placed on a node: no script ran, no container to wait for
        }
        long until = System.nanoTime() + adapter.slurm.cleanupWait().toNanos();
        while (!Files.exists(marker) && System.nanoTime() < until) {
            pause();
        }
        if (!Files.exists(marker)) {
            LOG.warnf("Slurm job %d of run %s ended without its script reporting the container removed (node %s)", jobId,
                    run.executionId(), last == null ? "?" : last.batchHost());
        }
    }

    /** {@code DELETE job/{id}}; also from an interrupted thread (a adapter.stopping executor's), which must not skip it. */
    void cancelJob() {
        Long id = jobId;
        if (id == null || ended) {
            return;
        }
        boolean interrupted = Thread.interrupted();
        try {
            adapter.client.cancel(id);
        } catch (IOException | HangarException e) {
            LOG.warnf("cannot cancel Slurm job %d of run %s: %s", id, run.executionId(), e.getMessage());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A failed prediction's own last lines, else the job's output (the container's stdout and stderr). */
    String tail(String predictionLogs) {
        int keep = adapter.config.stderrTailLines();
        String text = predictionLogs;
        if (text == null || text.isBlank()) {
            try {
                text = Files.exists(output) ? readTail(output, adapter.limits.maxReplyBytes()) : null;
            } catch (IOException e) {
                text = null;
            }
        }
        if (text == null || text.isBlank()) {
            return null;
        }
        List<String> lines = List.of(text.strip().split("\n"));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - keep), lines.size()));
    }

    /** Whatever happened: a job still alive is canceled, then the run folder and the job's files go. */
    void close() {
        adapter.live.remove(this);
        if (jobId != null && !ended) {
            cancelJob();
            try {
                awaitCleanup();
            } catch (HangarException interrupted) {
                LOG.warnf("run %s: stopped waiting for Slurm job %d's script to remove its container", run.executionId(), jobId);
            }
        }
        try {
            shared.delete(folder);
            Files.deleteIfExists(output);
            Files.deleteIfExists(marker);
            Files.deleteIfExists(heartbeat);
        } catch (IOException | HangarException e) {
            LOG.warnf("cannot remove run %s's files from the shared folder: %s", run.executionId(), e.getMessage());
        }
    }

    private void pause() {
        try {
            Thread.sleep(adapter.slurm.pollInterval());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HangarException(ErrorCode.ERR_CANCELED, "the executor is shutting down");
        }
    }

    /** How a run ended while its job was still queued. */
    private record Failure(ErrorCode code, String message) {}

    private static Prediction prediction(JsonNode body) {
        JsonNode output = body.get("output");
        JsonNode error = body.get("error");
        return new Prediction(body.path("id").asText(null), body.path("status").asText(""),
                output == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : output,
                error == null || error.isNull() ? null : error.asText(), body.path("logs").asText(""), body);
    }

    private static String readTail(Path file, int maxBytes) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ,
                java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            long size = channel.size();
            long start = Math.max(0, size - Math.min(maxBytes, 64 * 1024));
            var buffer = java.nio.ByteBuffer.allocate((int) (size - start));
            channel.read(buffer, start);
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        }
    }
}
