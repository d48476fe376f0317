package dev.hangar.executor.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import dev.hangar.contracts.ArtifactPath;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.RunStatus;
import dev.hangar.contracts.WritePrefix;
import dev.hangar.executor.docker.LocalAdapter;
import dev.hangar.executor.messaging.RunRequestConsumer;
import dev.hangar.executor.service.Fixtures;
import dev.hangar.executor.service.RunPlan;
import dev.hangar.executor.store.OutputStore;
import dev.hangar.executor.tracing.RunTracing;
import dev.hangar.kit.testing.Scrape;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** Each executor meter moves on /q/metrics when its thing happens; a run is one trace continuing the command's. */
@QuarkusTest
class ExecutorMetersTest {
    @Inject RunRequestConsumer consumer;
    @Inject OutputStore outputs;
    @Inject LocalAdapter adapter;
    @Inject RunTracing tracing;
    @Inject DockerClient docker;
    @Inject S3Client s3;
    @Inject InMemorySpanExporter spans;

    @Test
    void aPoisonCommandCountsAsADeadLetter() {
        String series = "hangar_dlq_records_total{channel=\"run-requests\"}";
        double before = Scrape.value(series);

        assertThrows(HangarException.class, () -> consumer.onCommand("this is { not json"));

        assertEquals(before + 1, Scrape.value(series));
    }

    @Test
    void uploadedBytesAreCounted(@TempDir Path folder) throws Exception {
        Files.write(folder.resolve("out.bin"), new byte[1000]);
        String prefix = "/artifacts/test/" + UUID.randomUUID() + "/";
        double before = Scrape.value("hangar_upload_bytes_total");

        var stored = outputs.upload(folder, prefix, "meters-test-1", ref -> { });

        try {
            double after = Scrape.value("hangar_upload_bytes_total");
            assertTrue(after >= before + 1000 + 2, "1000 bytes of out.bin plus outputs.json: " + before + " -> " + after);
        } finally {
            for (var ref : stored) {
                s3.deleteObject(b -> b.bucket("hangar-artifacts").key(ArtifactPath.toKey(ref.path())));
            }
            s3.deleteObject(b -> b.bucket("hangar-artifacts").key(ArtifactPath.toKey(prefix + "outputs.json")));
        }
    }

    @Test
    void aRunStartsOneContainerInsideTheCommandsTrace() {
        assumeTrue(dev.hangar.executor.docker.TestImages.baseImagePresent(docker), "skipped: the base image is missing");
        // this tree's examples/processors/echo (a name no other tree's tests use; the build is cached after the first)
        String imageId = dev.hangar.executor.docker.TestImages.processor(docker,
                dev.hangar.executor.docker.TestImages.root().resolve("examples/processors/echo"), "executor-echo");
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736".replace('4', 'a');
        String id = "meters-" + UUID.randomUUID().toString().substring(0, 8);
        var command = Fixtures.command(id, n -> n.put("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01"));
        var ref = ProcessorRef.parse(Fixtures.REF);
        var limits = new ProcessorSpec.Resources(0.5, 256, 0, 60);
        var spec = new ProcessorSpec(ref, "meters test", null, Map.of(), limits, List.of(), Fixtures.json("{\"type\":\"object\"}"), List.of());
        var plan = new RunPlan(spec, imageId, WritePrefix.resolve(null, ref, id), echoInputs(), true, limits, Map.of(), Map.of(), false);
        var run = Fixtures.activeRun(command, new Fixtures.RecordingPublisher(), plan);
        double before = Scrape.value("hangar_container_starts_total");

        var envelope = tracing.inRun(command, () -> adapter.execute(plan, run));

        assertEquals(RunStatus.SUCCESS, envelope.status(), String.valueOf(envelope.error()));
        assertEquals(before + 1, Scrape.value("hangar_container_starts_total"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            var inTrace = spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).toList();
            var names = inTrace.stream().map(SpanData::getName).toList();
            assertTrue(names.containsAll(List.of(RunTracing.SPAN, "hangar.run.pull", "hangar.run.upload")), names.toString());
            var runSpan = inTrace.stream().filter(s -> s.getName().equals(RunTracing.SPAN)).findFirst().orElseThrow();
            assertEquals("00f067aa0ba902b7", runSpan.getParentSpanId(), "the run continues the command's traceparent");
            assertEquals(id, runSpan.getAttributes().asMap().entrySet().stream()
                    .filter(e -> e.getKey().getKey().equals(RunTracing.EXECUTION_ID)).findFirst().orElseThrow().getValue());
            assertTrue(runSpan.getEvents().stream().anyMatch(e -> e.getName().equals("container started")));
            assertTrue(inTrace.stream().anyMatch(s -> s.getKind() == io.opentelemetry.api.trace.SpanKind.CLIENT
                    && s.getName().startsWith("S3.")), "the uploads' S3 calls (quarkus.s3.telemetry.enabled): " + names);
        });
    }

    @Test
    void warmRunsCountAStartThenAHitAndTheGaugesShowTheContainer() {
        assumeTrue(dev.hangar.executor.docker.TestImages.baseImagePresent(docker), "skipped: the base image is missing");
        // FROM this tree's runtime, which speaks the warm protocol
        String imageId = dev.hangar.executor.docker.TestImages.processor(docker,
                dev.hangar.executor.docker.TestImages.root().resolve("examples/processors/echo"), "executor-echo-warm");
        var ref = ProcessorRef.parse(Fixtures.REF);
        var limits = new ProcessorSpec.Resources(0.5, 256, 0, 60);
        var spec = new ProcessorSpec(ref, "meters test", null, Map.of(), limits, List.of(), Fixtures.json("{\"type\":\"object\"}"),
                List.of(), null, null, new ProcessorSpec.Warm(0, 1, 1, 60, "owner"));
        String owner = "meters-" + UUID.randomUUID().toString().substring(0, 8);
        double starts = Scrape.value("hangar_warm_runs_total{outcome=\"start\"}");
        double hits = Scrape.value("hangar_warm_runs_total{outcome=\"hit\"}");
        for (int i = 0; i < 2; i++) {
            String id = owner + "-" + i;
            var command = Fixtures.command(id, n -> n.put("owner", owner).set("inputs", echoInputs()));
            var plan = new RunPlan(spec, imageId, WritePrefix.resolve(null, ref, id), echoInputs(), true, limits, Map.of(), Map.of(), false);
            var envelope = adapter.execute(plan, Fixtures.activeRun(command, new Fixtures.RecordingPublisher(), plan));
            assertEquals(RunStatus.SUCCESS, envelope.status(), String.valueOf(envelope.error()));
        }
        assertEquals(starts + 1, Scrape.value("hangar_warm_runs_total{outcome=\"start\"}"), "the first run started the container");
        assertEquals(hits + 1, Scrape.value("hangar_warm_runs_total{outcome=\"hit\"}"), "the second was a warm hit");
        assertTrue(Scrape.value("hangar_warm_containers{state=\"ready\"}") >= 1);
        assertEquals(0, Scrape.value("hangar_warm_slots_busy"));
        assertEquals(0, Scrape.value("hangar_warm_waiting"));
    }

    private static com.fasterxml.jackson.databind.JsonNode echoInputs() {
        var inputs = Json.MAPPER.createObjectNode().put("schema", "v1");
        inputs.putObject("params").putArray("messages").addObject().put("role", "user").put("content", "metered");
        return inputs;
    }
}
