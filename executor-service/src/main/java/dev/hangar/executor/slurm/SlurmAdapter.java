package dev.hangar.executor.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.LocalBuild;
import dev.hangar.contracts.OutputIndex;
import dev.hangar.contracts.RunEvent;
import dev.hangar.executor.config.ExecutorConfig;
import dev.hangar.executor.config.LimitsConfig;
import dev.hangar.executor.docker.Fingerprint;
import dev.hangar.executor.docker.LocalAdapter;
import dev.hangar.executor.docker.RunFolders;
import dev.hangar.executor.service.ActiveRun;
import dev.hangar.executor.service.RunAdapter;
import dev.hangar.executor.service.RunPlan;
import dev.hangar.executor.store.OutputCollector;
import dev.hangar.executor.store.OutputStore;
import dev.hangar.runtime.client.Prediction;
import dev.hangar.runtime.client.StreamEvent;
import io.quarkus.arc.lookup.LookupIfProperty;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The remote backend on a Slurm cluster ({@code hangar.executor.backend=slurm}): a run becomes a
 * batch job submitted through slurmrestd with the spec's cpus, memory, GPUs ({@code gres=gpu:N})
 * and a time limit from the run's timeout; Slurm places it, and the job runs the pinned image on
 * the allocated node with that node's Docker engine ({@link JobScript}). The run folder lives in a
 * directory the executor and the nodes share ({@link RunFolders}, the local layout): the executor
 * stages the inputs and the request there, the container's {@code driver.py} speaks the runtime
 * protocol inside and appends the stream to {@code events.jsonl}, which this adapter tails; once
 * the job has ended (and its container is gone) the outputs are collected and stored as the local
 * adapter stores them. Cancel is {@code DELETE job/{id}}; the deadline cancels the job the same
 * way; a job Slurm fails, preempts or loses ends the run with {@code ERR_ADAPTER_INVOCATION}
 * naming Slurm's state and reason. See docs/slurm.md.
 */
@ApplicationScoped
@LookupIfProperty(name = "hangar.executor.backend", stringValue = "slurm")
public class SlurmAdapter implements RunAdapter {
    private static final Logger LOG = Logger.getLogger(SlurmAdapter.class);
    static final String DRIVER = "driver.py";
    static final String EVENTS = "events.jsonl";
    static final String REQUEST = "request.json";
    static final String SECRETS = "secrets.json";
    static final String JOBS = "jobs";

    private final SlurmConfig slurm;
    private final SlurmClient client;
    private final ExecutorConfig config;
    private final LimitsConfig limits;
    private final OutputStore outputs;
    private final OutputCollector collector;
    private final Optional<RunFolders> folders;

    @Inject
    public SlurmAdapter(SlurmConfig slurm, ExecutorConfig config, LimitsConfig limits, OutputStore outputs) {
        this.slurm = slurm;
        this.client = new SlurmClient(slurm);
        this.config = config;
        this.limits = limits;
        this.outputs = outputs;
        this.collector = new OutputCollector(limits.maxOutputFiles(), limits.maxOutputBytes());
        this.folders = slurm.sharedDir().map(dir -> new RunFolders(config, dir));
    }

    @Override
    public Adapter name() {
        return Adapter.REMOTE;
    }

    @Override
    public Envelope execute(RunPlan plan, ActiveRun run) {
        try {
            refuseWhatSlurmCannotRun(plan, run);
        } catch (HangarException e) {
            return run.error(e.code(), e.getMessage(), null);
        }
        RunFolders shared = folders.orElseThrow();
        String digest = LocalBuild.isImageId(plan.image()) ? plan.image() : plan.digest();
        run.ranImage(digest, Fingerprint.of(plan, run));
        Path folder;
        try {
            folder = shared.create(run.executionId(), run.command().attempt());
        } catch (HangarException e) {
            return run.error(e.code(), e.getMessage() + " (hangar.executor.slurm.shared-dir)", null);
        }
        var job = new Job(plan, run, shared, folder, digest);
        try {
            return job.run();
        } catch (HangarException e) {
            return run.error(e.code(), e.getMessage(), job.tail(null));
        } finally {
            job.close();
        }
    }

    /** Before a later attempt: cancels any job an earlier attempt of the run left in the queue or running. */
    @Override
    public void removeLeftovers(String executionId) {
        try {
            for (var job : client.jobs()) {
                if (jobName(executionId).equals(job.name()) && !job.ended()) {
                    LOG.infof("canceling Slurm job %d left by an earlier attempt of run %s", job.jobId(), executionId);
                    client.cancel(job.jobId());
                }
            }
        } catch (IOException | HangarException e) {
            LOG.warnf("cannot look for Slurm jobs left by run %s: %s", executionId, e.getMessage());
        }
    }

    static String jobName(String executionId) {
        return "hangar-" + executionId;
    }

    private void refuseWhatSlurmCannotRun(RunPlan plan, ActiveRun run) {
        if (slurm.sharedDir().isEmpty()) {
            throw new HangarException(ErrorCode.ERR_ADAPTER_UNAVAILABLE, "the Slurm backend has no shared folder: set "
                    + "hangar.executor.slurm.shared-dir to a directory mounted at the same path on this executor and every node");
        }
        if (plan.spec().cogHttp()) {
            throw new HangarException(ErrorCode.ERR_ADAPTER_UNAVAILABLE, plan.spec().ref() + " is an unmodified Cog image "
                    + "(server: cog-http), which the Slurm backend cannot drive; rebuild it FROM the Hangar runtime (hangar build)");
        }
        if (!plan.mock() && !plan.spec().egress().allow().isEmpty()) {
            throw new HangarException(ErrorCode.ERR_ADAPTER_UNAVAILABLE, plan.spec().ref() + " allows egress ("
                    + String.join(", ", plan.spec().egress().allow()) + "), which needs the executor's egress proxy on the run's "
                    + "host; the Slurm backend runs containers with no network at all: run it on a pool executor with backend docker");
        }
    }

    /** One run's job, from the staged folder to the envelope. */
    private final class Job {
        private final RunPlan plan;
        private final ActiveRun run;
        private final RunFolders shared;
        private final Path folder;
        private final Path output;
        private final Path marker;
        private final EventsTail events;
        private final Consumer<StreamEvent> stream;
        private final String digest;
        private volatile Long jobId;
        private volatile boolean ended;
        private SlurmWire.JobInfo last;
        private Prediction prediction;
        private String failure;
        private boolean setupFailed;
        private String requeued;

        Job(RunPlan plan, ActiveRun run, RunFolders shared, Path folder, String digest) {
            this.digest = digest;
            this.plan = plan;
            this.run = run;
            this.shared = shared;
            this.folder = folder;
            Path jobs = folder.getParent().resolve(JOBS);
            this.output = jobs.resolve(folder.getFileName() + ".out");
            this.marker = jobs.resolve(folder.getFileName() + ".done");
            this.events = new EventsTail(folder.resolve(EVENTS), limits.maxReplyBytes());
            this.stream = LocalAdapter.events(run);
        }

        Envelope run() {
            stage();
            jobId = submit();
            LOG.infof("run %s is Slurm job %d", run.executionId(), jobId);
            run.onCancel(this::cancelJob);
            return follow();
        }

        /** Inputs, the request, the secrets (0600) and the driver into the run folder, then all of it to the container's user. */
        private void stage() {
            try {
                Files.createDirectories(folder.getParent().resolve(JOBS));
                Files.deleteIfExists(output);
                Files.deleteIfExists(marker);
                plan.files().forEach((inside, artefact) -> outputs.download(artefact, shared.hostPath(folder, inside)));
                var request = SlurmClient.JSON.createObjectNode().put("id", run.executionId());
                request.set("input", plan.inputs());
                request.putObject("context").put("execution_id", run.executionId());
                Files.write(folder.resolve(REQUEST), SlurmClient.JSON.writeValueAsBytes(request));
                if (!plan.secrets().isEmpty()) {
                    Path secrets = Files.createFile(folder.resolve(SECRETS),
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    Files.write(secrets, SlurmClient.JSON.writeValueAsBytes(plan.secrets()));
                }
                try (InputStream driver = SlurmAdapter.class.getResourceAsStream(DRIVER)) {
                    Files.write(folder.resolve(DRIVER), driver.readAllBytes());
                }
                shared.handOver(folder);
            } catch (IOException e) {
                throw new HangarException(ErrorCode.ERR_INTERNAL, "cannot stage the run in the shared folder " + folder + ": "
                        + e.getMessage(), e);
            }
        }

        private long submit() {
            var limits = plan.limits();
            var script = new JobScript(run.executionId(), config.id(), plan.image(), folder, marker,
                    "hangar-" + folder.getFileName(), run.mode().wire(), config.containerUser(), config.pidsLimit(),
                    config.startTimeout().toSeconds(), limits, slurm.docker(), slurm.dockerGpus());
            var job = new SlurmWire.Job(jobName(run.executionId()), slurm.partition().orElse(null), folder.getParent().toString(),
                    output.toString(), output.toString(), Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                    (int) Math.max(1, Math.ceil(limits.cpu())), (long) limits.memoryMb(), timeLimitMinutes(limits.timeoutSeconds()),
                    limits.gpus() > 0 ? "gpu:" + limits.gpus() : null, false, "hangar run " + run.executionId(), "1");
            try {
                return client.submit(new SlurmWire.Submission(script.render(), job));
            } catch (IOException e) {
                throw new HangarException(ErrorCode.ERR_ADAPTER_INVOCATION, "cannot submit the run's job to slurmrestd at "
                        + slurm.restUrl() + ": " + e.getMessage(), e);
            }
        }

        /** Polls the job and the events file until the job has ended and its script reported the container gone. */
        private Envelope follow() {
            long deadline = Long.MAX_VALUE;
            long pendingUntil = System.nanoTime() + slurm.maxPending().toNanos();
            long unreachableSince = 0;
            boolean timedOut = false;
            boolean started = false;
            String pendingFailure = null;
            requeued = null;
            while (true) {
                Optional<SlurmWire.JobInfo> info;
                try {
                    info = client.job(jobId);
                    unreachableSince = 0;
                } catch (IOException e) {
                    long now = System.nanoTime();
                    unreachableSince = unreachableSince == 0 ? now : unreachableSince;
                    if (now - unreachableSince > slurm.unreachableGrace().toNanos()) {
                        cancelJob();
                        return run.error(ErrorCode.ERR_ADAPTER_INVOCATION, "lost slurmrestd at " + slurm.restUrl() + " for "
                                + slurm.unreachableGrace().toSeconds() + " s while following Slurm job " + jobId + ": "
                                + e.getMessage() + "; the job was canceled", null);
                    }
                    pause();
                    continue;
                }
                last = info.orElse(last);
                if (!started && (info.isEmpty() || !info.get().pending())) {
                    started = true;
                    deadline = System.nanoTime() + Duration.ofSeconds(plan.limits().timeoutSeconds()).toNanos();
                    run.emit(new RunEvent.Started(run.command().ref(), run.adapter(), run.mode(),
                            digest, config.id()));
                }
                drainEvents();
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
                if (pendingFailure == null && !started && System.nanoTime() > pendingUntil) {
                    pendingFailure = "Slurm job " + jobId + " was still PENDING after " + slurm.maxPending().toSeconds()
                            + " s (reason " + info.get().stateReason() + "; hangar.executor.slurm.max-pending); the job was canceled";
                    cancelJob();
                }
                pause();
            }
            ended = true;
            awaitCleanup();
            drainEvents();
            return outcome(timedOut, pendingFailure);
        }

        private Envelope outcome(boolean timedOut, String pendingFailure) {
            String state = last == null ? "UNKNOWN" : last.jobState();
            if (run.canceled()) {
                return run.error(ErrorCode.ERR_CANCELED, "the run was canceled", tail(null));
            }
            if (timedOut || "TIMEOUT".equals(state)) {
                return run.error(ErrorCode.ERR_TIMEOUT, "the run did not finish within its " + plan.limits().timeoutSeconds()
                        + " s deadline; its Slurm job " + jobId + " was canceled", tail(null));
            }
            if (pendingFailure != null || requeued != null) {
                return run.error(ErrorCode.ERR_ADAPTER_INVOCATION, pendingFailure != null ? pendingFailure : requeued, tail(null));
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
            var files = collector.collect(shared.outputs(folder)); // the container is gone: nothing changes the folder now
            var stored = outputs.upload(files, plan.writePrefix(), run.executionId(), ref -> run.emit(new RunEvent.Output(ref)));
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

        /** The job's script writes the marker after removing the container; a node that died never does. */
        private void awaitCleanup() {
            long until = System.nanoTime() + slurm.cleanupWait().toNanos();
            while (!Files.exists(marker) && System.nanoTime() < until) {
                pause();
            }
            if (!Files.exists(marker)) {
                LOG.warnf("Slurm job %d of run %s ended without its script reporting the container removed (node %s)", jobId,
                        run.executionId(), last == null ? "?" : last.batchHost());
            }
        }

        private void cancelJob() {
            Long id = jobId;
            if (id == null || ended) {
                return;
            }
            try {
                client.cancel(id);
            } catch (IOException | HangarException e) {
                LOG.warnf("cannot cancel Slurm job %d of run %s: %s", id, run.executionId(), e.getMessage());
            }
        }

        /** A failed prediction's own last lines, else the job's output (the container's stdout and stderr). */
        String tail(String predictionLogs) {
            int keep = config.stderrTailLines();
            String text = predictionLogs;
            if (text == null || text.isBlank()) {
                try {
                    text = Files.exists(output) ? readTail(output, limits.maxReplyBytes()) : null;
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
            if (jobId != null && !ended) {
                cancelJob();
                awaitCleanup();
            }
            try {
                shared.delete(folder);
                Files.deleteIfExists(output);
                Files.deleteIfExists(marker);
            } catch (IOException | HangarException e) {
                LOG.warnf("cannot remove run %s's files from the shared folder: %s", run.executionId(), e.getMessage());
            }
        }

        private void pause() {
            try {
                Thread.sleep(slurm.pollInterval());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HangarException(ErrorCode.ERR_CANCELED, "the executor is shutting down");
            }
        }
    }

    private static Prediction prediction(JsonNode body) {
        JsonNode output = body.get("output");
        JsonNode error = body.get("error");
        return new Prediction(body.path("id").asText(null), body.path("status").asText(""),
                output == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : output,
                error == null || error.isNull() ? null : error.asText(), body.path("logs").asText(""), body);
    }

    /** Slurm's limit, in whole minutes, a little above the run's own deadline (the adapter cancels at the deadline). */
    static int timeLimitMinutes(int timeoutSeconds) {
        return (int) Math.ceil(timeoutSeconds / 60.0) + 1;
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
