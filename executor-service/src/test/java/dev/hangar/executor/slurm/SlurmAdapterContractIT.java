package dev.hangar.executor.slurm;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunStatus;
import dev.hangar.executor.service.RunPlan;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import dev.hangar.executor.docker.TestImages;
import dev.hangar.executor.docker.TestLimits;
import dev.hangar.executor.service.Fixtures;
import dev.hangar.executor.service.RunAdapter;
import dev.hangar.executor.service.RunAdapterContract;
import dev.hangar.executor.store.OutputStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The run-adapter contract through Slurm: every run is a job submitted to the local cluster's
 * slurmrestd with a JWT, placed by slurmctld on node1, whose job script runs the image by digest
 * (pushed to the local OCI registry) on the node's Docker engine; outputs go to the real S3.
 */
class SlurmAdapterContractIT extends RunAdapterContract {
    static final String EXECUTOR_ID = "executor-slurm-contract-it";

    private SlurmRig rig;
    private DockerClient docker;
    private final Map<Processor, String> images = new EnumMap<>(Processor.class);

    @BeforeAll
    void startRig() throws IOException {
        rig = new SlurmRig();
        docker = TestImages.engine();
        images.put(Processor.ECHO, rig.pushed(docker, TestImages.root().resolve("examples/processors/echo"), "echo"));
        images.put(Processor.FAILING, rig.pushed(docker, Path.of("src/test/resources/processors/failing"), "failing"));
    }

    @AfterAll
    void closeRig() throws IOException {
        if (rig != null) {
            rig.close();
        }
        if (docker != null) {
            docker.close();
        }
    }

    // ---- what only Slurm does ----

    @Test
    void aGpuRunAsksSlurmForGresGpuAndASecondOneWaitsForTheGpu() throws Exception {
        String first = newExecutionId();
        String second = newExecutionId();
        var a = gpu(plan(Processor.ECHO, first, echo("gpu one", 4), 60, Map.of()));
        var b = gpu(plan(Processor.ECHO, second, echo("gpu two", 0), 60, Map.of()));

        var runA = CompletableFuture.supplyAsync(() -> execute(a, activeRun(first, a)));
        await().atMost(Duration.ofSeconds(30)).until(() -> job(first).map(j -> "RUNNING".equals(j.jobState())).orElse(false));
        var runB = CompletableFuture.supplyAsync(() -> execute(b, activeRun(second, b)));
        await().atMost(Duration.ofSeconds(30)).until(() -> job(second).map(j -> !"None".equals(j.stateReason())).orElse(false));

        var jobA = job(first).orElseThrow();
        var jobB = job(second).orElseThrow();
        assertEquals("gres:gpu:1", jobA.tresPerNode(), "GET job/{id} shows the GPU the run asked for");
        assertEquals("gres:gpu:1", jobB.tresPerNode());
        assertEquals("PENDING", jobB.jobState(), "the only (fake) GPU is taken: the second job waits");
        assertEquals("Resources", jobB.stateReason());
        assertEquals(RunStatus.SUCCESS, runA.get(60, TimeUnit.SECONDS).status());
        assertEquals(RunStatus.SUCCESS, runB.get(60, TimeUnit.SECONDS).status(), "it ran once the GPU was free");
        assertEquals(List.of(), leftovers(first));
        assertEquals(List.of(), leftovers(second));
    }

    @Test
    void aRunWhoseNodeGoesDownEndsWithSlurmsStateAndLeavesNothing() throws Exception {
        String id = newExecutionId();
        var plan = plan(Processor.ECHO, id, echo("until the node dies", 60), 120, Map.of());
        var run = CompletableFuture.supplyAsync(() -> execute(plan, activeRun(id, plan)));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> publisher.bodies().stream()
                    .anyMatch(b -> b instanceof RunEvent.Log l && l.line().startsWith("echoing")) || run.isDone());
            rig.scontrol("update", "nodename=node1", "state=down", "reason=hangar-it-node-down");

            Envelope envelope = run.get(60, TimeUnit.SECONDS);

            assertEquals(ErrorCode.ERR_ADAPTER_INVOCATION, envelope.error().code(), envelope.error().message());
            assertTrue(envelope.error().message().contains("Slurm requeued job"), envelope.error().message());
        } finally {
            resumeNode();
        }
        assertEquals(List.of(), leftovers(id), "the job was canceled and its container removed");
    }

    @Test
    void aRunOnADrainedClusterWaitsSaysWhereAndRunsOnceTheNodeIsBack() throws Exception {
        String id = newExecutionId();
        var plan = plan(Processor.ECHO, id, echo("placed at last", 0), 60, Map.of());
        rig.scontrol("update", "nodename=node1", "state=drain", "reason=hangar-it-drain");
        CompletableFuture<Envelope> run;
        try {
            run = CompletableFuture.supplyAsync(() -> execute(plan, activeRun(id, plan)));
            await().atMost(Duration.ofSeconds(30)).until(() -> !waiting().isEmpty());
        } finally {
            resumeNode();
        }
        Envelope envelope = run.get(90, TimeUnit.SECONDS);

        assertEquals(RunStatus.SUCCESS, envelope.status(), String.valueOf(envelope.error()));
        String where = waiting().getFirst();
        assertTrue(where.matches("pending in Slurm partition debug: .+ \\(job \\d+\\)"), where);
        assertTrue(publisher.types().indexOf(RunEvent.Type.QUEUED) < publisher.types().indexOf(RunEvent.Type.STARTED),
                "queued (waiting in Slurm), then started: " + publisher.types());
        assertEquals(List.of(), leftovers(id));
    }

    @Test
    void aRunOnADrainedClusterPastItsCapacityDeadlineIsNoCapacityNamingTheReasonAndPartition() throws Exception {
        String id = newExecutionId();
        var plan = plan(Processor.ECHO, id, echo("never placed", 0), 60, Map.of());
        // the gateway's capacity wait travels in the command; max-pending (5 min here) is longer
        var command = Fixtures.command(id, n -> n.put("created_at", java.time.Instant.now().toString())
                .putObject("adapter_opts").put("capacity_wait_seconds", 3));
        rig.scontrol("update", "nodename=node1", "state=drain", "reason=hangar-it-drain");
        Envelope envelope;
        long took;
        try {
            long begin = System.nanoTime();
            envelope = execute(plan, Fixtures.activeRun(command, publisher, plan));
            took = (System.nanoTime() - begin) / 1_000_000;
        } finally {
            resumeNode();
        }

        assertEquals(ErrorCode.ERR_NO_CAPACITY, envelope.error().code(), envelope.error().message());
        String message = envelope.error().message();
        assertTrue(message.startsWith("no node of Slurm partition debug took the run within its capacity deadline of 3 s"), message);
        assertTrue(message.contains("reason ") && message.contains("DRAINED"), message);
        assertTrue(took < 20_000, "it ended at the capacity deadline, not at max-pending: " + took + " ms");
        assertTrue(waiting().getFirst().startsWith("pending in Slurm partition debug: "), waiting().toString());
        assertEquals(List.of(), leftovers(id), "the waiting job was canceled");
    }

    @Test
    void aGpuRunTheClusterCannotEverHoldIsNoCapacityAndNothingIsQueued() throws Exception {
        String id = newExecutionId();
        var p = plan(Processor.ECHO, id, echo("two gpus", 0), 60, Map.of());
        var plan = new RunPlan(p.spec(), p.image(), p.writePrefix(), p.inputs(), p.mock(),
                new ProcessorSpec.Resources(p.limits().cpu(), p.limits().memoryMb(), 2, p.limits().timeoutSeconds()),
                p.files(), p.secrets(), false);

        Envelope envelope = execute(plan, activeRun(id, plan));

        assertEquals(ErrorCode.ERR_NO_CAPACITY, envelope.error().code(), envelope.error().message());
        assertTrue(envelope.error().message().startsWith("no node of Slurm partition (the cluster's default) can ever take the run: "
                + "it asks for 1 CPU(s), " + p.limits().memoryMb() + " MiB, gres gpu:2"), envelope.error().message());
        assertTrue(envelope.error().message().contains("Requested node configuration is not available"), envelope.error().message());
        assertTrue(job(id).map(SlurmWire.JobInfo::ended).orElse(true), "nothing is left in Slurm's queue: " + job(id));
        assertEquals(List.of(), leftovers(id));
    }

    @Test
    void aJobHeldInTheQueueEndsAtOnceWithSlurmsReason() throws Exception {
        String holder = newExecutionId();
        String held = newExecutionId();
        var hold = gpu(plan(Processor.ECHO, holder, echo("holding the gpu", 5), 60, Map.of()));
        var wait = gpu(plan(Processor.ECHO, held, echo("held", 0), 60, Map.of()));
        var holding = CompletableFuture.supplyAsync(() -> execute(hold, activeRun(holder, hold)));
        await().atMost(Duration.ofSeconds(30)).until(() -> job(holder).map(j -> "RUNNING".equals(j.jobState())).orElse(false));
        var waiting = CompletableFuture.supplyAsync(() -> execute(wait, activeRun(held, wait)));
        await().atMost(Duration.ofSeconds(30)).until(() -> job(held).isPresent());
        rig.scontrol("hold", String.valueOf(job(held).orElseThrow().jobId()));

        Envelope envelope = waiting.get(30, TimeUnit.SECONDS);

        assertEquals(ErrorCode.ERR_ADAPTER_INVOCATION, envelope.error().code(), envelope.error().message());
        assertTrue(envelope.error().message().matches("Slurm holds job \\d+ in partition debug for a reason that needs someone "
                + "to act: JobHeldAdmin.*; the job was canceled"), envelope.error().message());
        assertEquals(List.of(), leftovers(held));
        assertEquals(RunStatus.SUCCESS, holding.get(60, TimeUnit.SECONDS).status());
    }

    @Test
    void aJobStillWaitingForTheGpuPastMaxPendingIsCanceledAndEndsNoCapacity() throws Exception {
        String holder = newExecutionId();
        String waiter = newExecutionId();
        var hold = gpu(plan(Processor.ECHO, holder, echo("holding the gpu", 5), 60, Map.of()));
        var wait = gpu(plan(Processor.ECHO, waiter, echo("waiting", 0), 60, Map.of()));
        var impatient = new SlurmAdapter(rig.config().withMaxPending(Duration.ofSeconds(2)), executorConfig(), TestLimits.DEFAULTS,
                outputs());
        var holding = CompletableFuture.supplyAsync(() -> execute(hold, activeRun(holder, hold)));
        await().atMost(Duration.ofSeconds(30)).until(() -> job(holder).map(j -> "RUNNING".equals(j.jobState())).orElse(false));

        Envelope envelope = impatient.execute(wait, activeRun(waiter, wait));

        assertEquals(ErrorCode.ERR_NO_CAPACITY, envelope.error().code(), envelope.error().message());
        assertTrue(envelope.error().message().matches("no node of Slurm partition debug took the run within 2 s "
                + "\\(hangar.executor.slurm.max-pending\\): job \\d+ was still PENDING \\(reason Resources\\); the job was canceled"),
                envelope.error().message());
        assertEquals(List.of(), leftovers(waiter), "the waiting job was canceled");
        assertEquals(RunStatus.SUCCESS, holding.get(60, TimeUnit.SECONDS).status());
    }

    @Test
    void aJobSlurmRefusesEndsTheRunWithSlurmsError() {
        String id = newExecutionId();
        var plan = plan(Processor.ECHO, id, echo("nowhere", 0), 60, Map.of());
        var adapter = new SlurmAdapter(rig.config().withPartition("no-such-partition"), executorConfig(), TestLimits.DEFAULTS,
                outputs());

        Envelope envelope = adapter.execute(plan, activeRun(id, plan));

        assertEquals(ErrorCode.ERR_ADAPTER_INVOCATION, envelope.error().code());
        assertTrue(envelope.error().message().contains("Invalid partition name specified"), envelope.error().message());
    }

    @Test
    void aBadTokenIsRefusedWithoutShowingIt() {
        String id = newExecutionId();
        var plan = plan(Processor.ECHO, id, echo("no entry", 0), 60, Map.of());
        String forged = rig.token.substring(0, rig.token.length() - 4) + "AAAA";
        var adapter = new SlurmAdapter(rig.config().withToken(forged), executorConfig(), TestLimits.DEFAULTS, outputs());

        Envelope envelope = adapter.execute(plan, activeRun(id, plan));

        assertEquals(ErrorCode.ERR_ADAPTER_INVOCATION, envelope.error().code(), envelope.error().message());
        assertFalse(envelope.error().message().contains(forged), envelope.error().message());
    }

    @Test
    void theJwtAndTheSecretsAreInNoLogEventEnvelopeOrSlurmJob() throws Exception {
        var logs = new CopyOnWriteArrayList<String>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logs.add(String.valueOf(record.getMessage()) + " " + java.util.Arrays.toString(record.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        var root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        String id = newExecutionId();
        var plan = plan(Processor.FAILING, id, Json.MAPPER.createObjectNode(), 60, Map.of("TEST_TOKEN", SECRET_VALUE));
        Envelope envelope;
        try {
            envelope = execute(plan, activeRun(id, plan));
        } finally {
            root.removeHandler(capture);
        }

        assertEquals(ErrorCode.ERR_PROCESSOR_FAILED, envelope.error().code(), envelope.error().message());
        assertTrue(logs.stream().anyMatch(l -> l.contains("is Slurm job")), "the log capture works: " + logs);
        var job = job(id).orElseThrow();
        String shown = rig.scontrol("show", "job", "-dd", String.valueOf(job.jobId()));
        String script = rig.scontrol("write", "batch_script", String.valueOf(job.jobId()), "-");
        assertTrue(script.contains("docker"), script);
        for (String secret : List.of(rig.token, SECRET_VALUE)) {
            assertFalse(Json.write(envelope).contains(secret), "envelope");
            assertTrue(publisher.events.stream().noneMatch(e -> Json.write(e).contains(secret)), "events");
            assertTrue(logs.stream().noneMatch(l -> l.contains(secret)), "logs");
            assertFalse(shown.contains(secret), "scontrol show job -dd:\n" + shown);
            assertFalse(script.contains(secret), "the batch script:\n" + script);
        }
        assertEquals(List.of(), leftovers(id));
    }

    private static final String SECRET_VALUE = "tok-slurm-contract-0123456789";

    private static RunPlan gpu(RunPlan p) {
        var limits = new ProcessorSpec.Resources(p.limits().cpu(), p.limits().memoryMb(), 1, p.limits().timeoutSeconds());
        return new RunPlan(p.spec(), p.image(), p.writePrefix(), p.inputs(), p.mock(), limits, p.files(), p.secrets(), false);
    }

    private java.util.Optional<SlurmWire.JobInfo> job(String executionId) throws IOException {
        return rig.client().jobs().stream().filter(j -> SlurmAdapter.jobName(executionId).equals(j.name())).findFirst();
    }

    /** What the run's queued events said about where it waits in Slurm. */
    private List<String> waiting() {
        return publisher.bodies().stream().filter(b -> b instanceof RunEvent.Queued q && q.waiting() != null)
                .map(b -> ((RunEvent.Queued) b).waiting()).toList();
    }

    private void resumeNode() throws IOException {
        rig.sh(List.of("scontrol", "update", "nodename=node1", "state=resume"));
        await().atMost(Duration.ofSeconds(30)).until(() -> rig.sh(List.of("sinfo", "-h", "-n", "node1", "-o", "%T")).output()
                .strip().matches("idle|mixed|allocated"));
    }

    private Fixtures.TestConfig executorConfig() {
        return Fixtures.TestConfig.defaults(rig.sharedDir()).withId(EXECUTOR_ID).withStderrTailLines(STDERR_TAIL_LINES);
    }

    private OutputStore outputs() {
        return new OutputStore(Fixtures.stackS3(), () -> System.getenv().getOrDefault("ARTIFACTS_BUCKET", "hangar-artifacts"));
    }

    @Override
    protected RunAdapter createAdapter(OutputStore outputs, int stderrTailLines) {
        return rig.adapter(EXECUTOR_ID, outputs, stderrTailLines);
    }

    @Override
    protected String image(Processor processor) {
        return images.get(processor);
    }

    @Override
    protected List<String> leftovers(String executionId) {
        return rig.leftovers(executionId);
    }
}
