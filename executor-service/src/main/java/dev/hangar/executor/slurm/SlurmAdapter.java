package dev.hangar.executor.slurm;

import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.LocalBuild;
import dev.hangar.executor.config.ExecutorConfig;
import dev.hangar.executor.config.LimitsConfig;
import dev.hangar.executor.docker.Fingerprint;
import dev.hangar.executor.docker.RunFolders;
import dev.hangar.executor.service.ActiveRun;
import dev.hangar.executor.service.RunAdapter;
import dev.hangar.executor.service.RunPlan;
import dev.hangar.executor.store.OutputCollector;
import dev.hangar.executor.store.OutputStore;
import io.quarkus.arc.lookup.LookupIfProperty;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    final SlurmConfig slurm;
    final SlurmClient client;
    final ExecutorConfig config;
    final LimitsConfig limits;
    final OutputStore outputs;
    final OutputCollector collector;
    private final Optional<RunFolders> folders;
    final java.util.Set<SlurmJob> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
    volatile boolean stopping;

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
        var job = new SlurmJob(this, plan, run, shared, folder, digest);
        try {
            return job.run();
        } catch (HangarException e) {
            return run.error(e.code(), e.getMessage(), job.tail(null));
        } finally {
            job.close();
        }
    }

    /**
     * SIGTERM: every job in flight is canceled now ({@code DELETE job/{id}}), while the executor
     * can still reach slurmrestd and publish; each run then ends {@code ERR_ADAPTER_INVOCATION}
     * saying the executor stopped. The executor waits for those envelopes up to the returned time.
     */
    @Override
    public Duration stop() {
        stopping = true;
        var jobs = java.util.List.copyOf(live);
        jobs.forEach(SlurmJob::cancelJob);
        if (!jobs.isEmpty()) {
            LOG.infof("stopping: canceled %d Slurm job(s) in flight", jobs.size());
        }
        return slurm.cleanupWait().plus(slurm.requestTimeout()).plus(slurm.pollInterval().multipliedBy(4));
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

    String partitionName() {
        return slurm.partition().orElse("(the cluster's default)");
    }

    /** "Resources (Nodes required for job are DOWN, ...)" from a job's reason and description. */
    static String reasonText(SlurmWire.JobInfo job) {
        String reason = job.stateReason() == null || job.stateReason().isBlank() ? "None" : job.stateReason();
        String description = job.stateDescription();
        return description == null || description.isBlank() ? reason : reason + " (" + description + ")";
    }

    /** "1 CPU(s), 512 MiB, gres gpu:2, 2 min" for a message about what Slurm cannot place. */
    static String asks(SlurmWire.Job job) {
        return job.cpusPerTask() + " CPU(s), " + job.memoryPerNode() + " MiB" + (job.gres() == null ? "" : ", gres " + job.gres())
                + ", " + job.timeLimit() + " min";
    }

    /**
     * The job's properties for {@code POST job/submit}: the spec's CPUs rounded up, its memory, a
     * time limit a little above its timeout, {@code gres=gpu:N} for a GPU run, one node, no requeue
     * (a second start would not be this attempt), and no environment but {@code PATH}.
     */
    static SlurmWire.Job jobProperties(String executionId, String partition, Path folder, Path output,
                                       dev.hangar.contracts.ProcessorSpec.Resources limits) {
        return new SlurmWire.Job(jobName(executionId), partition, folder.getParent().toString(), output.toString(),
                output.toString(), Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                (int) Math.max(1, Math.ceil(limits.cpu())), (long) limits.memoryMb(), timeLimitMinutes(limits.timeoutSeconds()),
                limits.gpus() > 0 ? "gpu:" + limits.gpus() : null, false, "hangar run " + executionId, "1");
    }

    /** Slurm's limit, in whole minutes, a little above the run's own deadline (the adapter cancels at the deadline). */
    static int timeLimitMinutes(int timeoutSeconds) {
        return (int) Math.ceil(timeoutSeconds / 60.0) + 1;
    }

}
