package dev.hangar.executor.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.ArtifactPath;
import dev.hangar.contracts.ContentId;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.OutputIndex;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunStatus;
import dev.hangar.contracts.WritePrefix;
import dev.hangar.executor.store.OutputStore;
import dev.hangar.executor.store.RecordingS3;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What every {@link RunAdapter} must do, wherever it runs the container: one envelope per run
 * with the right status and code, outputs stored with {@code outputs.json} last, events in order,
 * secrets masked, nothing left running. Outputs go to the real S3 (the local stack's S3Proxy).
 * A subclass supplies the adapter, the images and a way to see what the run left behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class RunAdapterContract {
    /** The stderr_tail length every adapter is configured with here (hangar.executor.stderr-tail-lines). */
    protected static final int STDERR_TAIL_LINES = 5;
    static final String SECRET = "tok-contract-0123456789";

    /** The processors the suite runs. */
    protected enum Processor {
        /** examples/processors/echo: one log line, tokens, progress, output.json; params.delay_seconds waits. */
        ECHO,
        /** src/test/resources/processors/failing: 20 stderr lines, then a ValueError naming $TEST_TOKEN. */
        FAILING
    }

    private RecordingS3 s3;
    private S3Client realS3;
    private String bucket;
    private RunAdapter adapter;
    protected final Fixtures.RecordingPublisher publisher = new Fixtures.RecordingPublisher();

    /** The adapter under test, storing outputs through {@code outputs} and keeping {@code stderrTailLines} lines. */
    protected abstract RunAdapter createAdapter(OutputStore outputs, int stderrTailLines);

    /** The image reference a plan pins for a processor (a digest-qualified reference or a local build id). */
    protected abstract String image(Processor processor);

    /** Whatever of the run still exists where it ran (containers, jobs); empty once it ended. */
    protected abstract List<String> leftovers(String executionId);

    @BeforeAll
    void connectStorage() {
        bucket = System.getenv().getOrDefault("ARTIFACTS_BUCKET", "hangar-artifacts");
        realS3 = Fixtures.stackS3();
        try {
            realS3.headBucket(b -> b.bucket(bucket));
        } catch (RuntimeException e) {
            assumeTrue(false, "skipped: no S3 bucket " + bucket + " (start the local stack): " + e.getMessage());
        }
        s3 = new RecordingS3(realS3);
    }

    @BeforeEach
    void createAdapterOnce() {
        publisher.events.clear();
        s3.writes.clear();
        if (adapter == null) {
            adapter = createAdapter(new OutputStore(s3.client(), () -> bucket), STDERR_TAIL_LINES);
        }
    }

    // ---- the contract ----

    @Test
    void aSuccessfulRunStoresItsOutputsThenTheIndexAndSaysSuccess() {
        String id = newExecutionId();
        var plan = plan(Processor.ECHO, id, echo("hi there", 0), 60, Map.of());

        Envelope envelope = execute(plan, activeRun(id, plan));

        assertEquals(RunStatus.SUCCESS, envelope.status(), String.valueOf(envelope.error()));
        assertEquals(id, envelope.executionId());
        assertEquals(List.of(plan.writePrefix() + "output.json"), envelope.outputs().stream().map(OutputRef::path).toList());
        OutputRef output = envelope.outputs().getFirst();
        assertEquals("application/json", output.mime());
        String stored = read(output.path());
        assertTrue(stored.contains("Echo: hi there"), stored);
        assertEquals(ContentId.of(stored.getBytes(StandardCharsets.UTF_8)), output.cid());
        assertEquals(OutputIndex.pathUnder(plan.writePrefix()), envelope.indexPath());
        assertEquals(ArtifactPath.toKey(envelope.indexPath()), s3.writes.getLast(), "outputs.json is written last");
        assertEquals(new OutputIndex(id, envelope.outputs()), Json.read(read(envelope.indexPath()), OutputIndex.class));
        assertNotNull(envelope.meta().imageDigest());
        assertTrue(ContentId.isValid(envelope.meta().envFingerprint()));

        assertEventsInOrder();
        assertTrue(publisher.bodies().contains(new RunEvent.Log("stdout", "echoing 1 message(s)")), publisher.bodies().toString());
        assertTrue(publisher.bodies().contains(new RunEvent.Output(output)));
        assertTrue(publisher.types().contains(RunEvent.Type.TOKEN));
        assertEquals(List.of(), leftovers(id));
    }

    @Test
    void aFailingProcessorGivesProcessorFailedWithItsLastLinesAndNoSecret() {
        String id = newExecutionId();
        var plan = plan(Processor.FAILING, id, Json.MAPPER.createObjectNode(), 60, Map.of("TEST_TOKEN", SECRET));

        Envelope envelope = execute(plan, activeRun(id, plan));

        assertEquals(RunStatus.ERROR, envelope.status());
        assertEquals(ErrorCode.ERR_PROCESSOR_FAILED, envelope.error().code(), envelope.error().message());
        String tail = envelope.error().stderrTail();
        assertNotNull(tail);
        assertTrue(tail.lines().count() <= STDERR_TAIL_LINES, "stderr_tail keeps the configured " + STDERR_TAIL_LINES + " lines:\n" + tail);
        assertTrue(tail.contains("ValueError: the model refused token " + Redactor.MASK), tail);
        assertFalse(envelope.error().message().contains(SECRET) || tail.contains(SECRET), "secrets are masked");
        assertTrue(publisher.bodies().stream().noneMatch(b -> b instanceof RunEvent.Log l && l.line().contains(SECRET)));
        assertEventsInOrder();
        assertFalse(publisher.types().contains(RunEvent.Type.OUTPUT), "a failed run stores nothing");
        assertEquals(List.of(), leftovers(id));
    }

    @Test
    void aRunPastItsDeadlineTimesOutAndLeavesNothing() {
        String id = newExecutionId();
        var plan = plan(Processor.ECHO, id, echo("slow", 60), 2, Map.of());

        Envelope envelope = execute(plan, activeRun(id, plan));

        assertEquals(RunStatus.ERROR, envelope.status());
        assertEquals(ErrorCode.ERR_TIMEOUT, envelope.error().code(), envelope.error().message());
        assertTrue(envelope.error().message().contains("2 s deadline"), envelope.error().message());
        assertEquals(List.of(), leftovers(id), "the container was removed");
    }

    @Test
    void aCanceledRunSaysCanceledAndLeavesNothing() throws Exception {
        String id = newExecutionId();
        var plan = plan(Processor.ECHO, id, echo("never", 60), 60, Map.of());
        var run = activeRun(id, plan);

        var running = CompletableFuture.supplyAsync(() -> adapter.execute(plan, run));
        await().atMost(Duration.ofSeconds(30)).until(() -> publisher.bodies().stream()
                .anyMatch(b -> b instanceof RunEvent.Log l && l.line().startsWith("echoing")) || running.isDone());
        Fixtures.cancel(run);
        Envelope envelope = running.get(30, TimeUnit.SECONDS);

        assertEquals(RunStatus.CANCELED, envelope.status(), String.valueOf(envelope.error()));
        assertEquals(ErrorCode.ERR_CANCELED, envelope.error().code());
        assertEventsInOrder();
        assertEquals(List.of(), leftovers(id));
    }

    // ---- helpers for subclasses and the tests above ----

    protected Envelope execute(RunPlan plan, ActiveRun run) {
        return adapter.execute(plan, run);
    }

    /** A plan as RunService makes it, for one of the suite's processors. */
    protected RunPlan plan(Processor processor, String executionId, JsonNode inputs, int timeoutSeconds, Map<String, String> secrets) {
        var ref = ProcessorRef.parse(Fixtures.REF);
        var limits = new ProcessorSpec.Resources(0.5, 256, 0, timeoutSeconds);
        var spec = new ProcessorSpec(ref, "contract test processor " + processor, null, Map.of(), limits, List.copyOf(secrets.keySet()),
                Fixtures.json("{\"type\":\"object\"}"), List.of());
        return new RunPlan(spec, image(processor), WritePrefix.resolve(null, ref, executionId), inputs, true, limits, Map.of(),
                secrets, false);
    }

    protected ActiveRun activeRun(String executionId, RunPlan plan) {
        return Fixtures.activeRun(Fixtures.command(executionId), publisher, plan);
    }

    protected static JsonNode echo(String text, int delaySeconds) {
        var params = Json.MAPPER.createObjectNode();
        params.putArray("messages").addObject().put("role", "user").put("content", text);
        if (delaySeconds > 0) {
            params.put("delay_seconds", delaySeconds);
        }
        var inputs = Json.MAPPER.createObjectNode().put("schema", "v1");
        inputs.set("params", params);
        return inputs;
    }

    protected static String newExecutionId() {
        return "contract-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    /** Numbered 1..n; started first and once; what the processor streams before any stored output; no terminal event (RunService sends it). */
    protected void assertEventsInOrder() {
        var events = publisher.events;
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i + 1, events.get(i).seq(), "seq counts from 1 without gaps");
        }
        var types = publisher.types();
        assertEquals(RunEvent.Type.STARTED, types.getFirst(), types.toString());
        assertEquals(1, types.stream().filter(t -> t == RunEvent.Type.STARTED).count());
        int firstOutput = types.indexOf(RunEvent.Type.OUTPUT);
        if (firstOutput >= 0) {
            assertTrue(types.subList(firstOutput, types.size()).stream().allMatch(t -> t == RunEvent.Type.OUTPUT), types.toString());
        }
        assertTrue(types.stream().noneMatch(RunEvent.Type::terminal), "the terminal event is RunService's to send");
    }

    private String read(String artefactPath) {
        return realS3.getObjectAsBytes(b -> b.bucket(bucket).key(ArtifactPath.toKey(artefactPath))).asString(StandardCharsets.UTF_8);
    }
}
