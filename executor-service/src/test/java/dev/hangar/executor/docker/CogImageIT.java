package dev.hangar.executor.docker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Capability;
import dev.hangar.contracts.ArtifactPath;
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
import dev.hangar.executor.config.CogConfig;
import dev.hangar.executor.service.ActiveRun;
import dev.hangar.executor.service.Fixtures;
import dev.hangar.executor.service.RunPlan;
import dev.hangar.executor.store.OutputStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Unmodified Cog images through the local adapter, against the real engine and S3: an image built
 * by hand FROM the plain base with a hand-written Cog HTTP server on TCP 5000
 * (src/test/resources/processors/cog-http; no Hangar runtime in it), reached through the
 * forwarder sidecar of THIS tree's runtime image.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CogImageIT {
    static final String EXECUTOR_ID = "executor-cog-it";

    private DockerClient docker;
    private Path workDir;
    private S3Client s3;
    private String bucket;
    private String image;
    private String neverReady;
    private String setupFails;
    private LocalAdapter adapter;
    private LocalAdapter impatient;
    private final Fixtures.RecordingPublisher publisher = new Fixtures.RecordingPublisher();

    @BeforeAll
    void setUp() throws Exception {
        docker = TestImages.engine();
        bucket = System.getenv().getOrDefault("ARTIFACTS_BUCKET", "hangar-artifacts");
        s3 = Fixtures.stackS3();
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (RuntimeException e) {
            assumeTrue(false, "skipped: no S3 bucket " + bucket + " (start the local stack): " + e.getMessage());
        }
        String tag = TestImages.tagPrefix() + "cog-http:test";
        dockerBuild(Path.of("src/test/resources/processors/cog-http"), tag, "BASE=" + TestImages.BASE);
        image = docker.inspectImageCmd(tag).exec().getId();
        Path never = Files.createTempDirectory("cog-never");
        Files.writeString(never.resolve("Dockerfile"), "ARG COG\nFROM ${COG}\nCMD [\"--never-ready\"]\n");
        dockerBuild(never, TestImages.tagPrefix() + "cog-never-ready:test", "COG=" + tag);
        neverReady = docker.inspectImageCmd(TestImages.tagPrefix() + "cog-never-ready:test").exec().getId();
        Files.writeString(never.resolve("Dockerfile"), "ARG COG\nFROM ${COG}\nCMD [\"--setup-fails\"]\n");
        dockerBuild(never, TestImages.tagPrefix() + "cog-setup-fails:test", "COG=" + tag);
        setupFails = docker.inspectImageCmd(TestImages.tagPrefix() + "cog-setup-fails:test").exec().getId();
        workDir = Files.createTempDirectory("hangar-cog");
        var config = Fixtures.TestConfig.defaults(workDir).withId(EXECUTOR_ID);
        var cog = CogConfig.of(TestImages.runtime(docker));
        var outputs = new OutputStore(s3, () -> bucket);
        adapter = new LocalAdapter(docker, new ImageResolver(docker), new RunFolders(config), outputs, config,
                TestLimits.DEFAULTS, new WarmPool(docker, new RunFolders(config), config, TestLimits.DEFAULTS,
                dev.hangar.executor.config.WarmConfig.DEFAULTS), cog);
        var quick = new Fixtures.TestConfig(workDir, EXECUTOR_ID, config.platform(), config.containerUser(), Duration.ofSeconds(3),
                config.pidsLimit(), config.internalToken(), config.cancelGrace(), config.stderrTailLines());
        impatient = new LocalAdapter(docker, new ImageResolver(docker), new RunFolders(quick), outputs, quick,
                TestLimits.DEFAULTS, new WarmPool(docker, new RunFolders(quick), quick, TestLimits.DEFAULTS,
                dev.hangar.executor.config.WarmConfig.DEFAULTS), cog);
    }

    @BeforeEach
    void clearEvents() {
        publisher.events.clear();
    }

    @AfterAll
    void cleanUp() throws IOException {
        if (adapter != null) {
            adapter.warmPool().close();
            impatient.warmPool().close();
        }
        TestImages.cleanUp(docker, EXECUTOR_ID, workDir);
    }

    @Test
    void aCogImageRunsToSuccessWithItsJsonAndDataUrlOutputsInS3AndLeavesNothing() {
        String id = newExecutionId();
        var plan = plan(image, id, Json.MAPPER.createObjectNode().put("text", "hello cog"), 60, true, false);

        Envelope envelope = adapter.execute(plan, activeRun(id, plan));

        assertEquals(RunStatus.SUCCESS, envelope.status(), String.valueOf(envelope.error()));
        var paths = envelope.outputs().stream().map(OutputRef::path).toList();
        assertEquals(List.of(plan.writePrefix() + "output-0.txt"), paths, "a data URL output becomes a file");
        assertEquals("HELLO COG", read(paths.getFirst()), "the data URL's bytes, decoded");
        assertEquals(new OutputIndex(id, envelope.outputs()), Json.read(read(envelope.indexPath()), OutputIndex.class));
        assertEquals(List.of(), leftovers(id), "the Cog container and its sidecar are removed");
    }

    @Test
    void aPlainJsonOutputGoesToOutputJson() {
        String id = newExecutionId();
        var plan = plan(image, id, Json.MAPPER.createObjectNode().put("probe", true), 60, true, false);

        Envelope envelope = adapter.execute(plan, activeRun(id, plan));

        assertEquals(RunStatus.SUCCESS, envelope.status(), String.valueOf(envelope.error()));
        assertEquals(List.of(plan.writePrefix() + "output.json"), envelope.outputs().stream().map(OutputRef::path).toList());
        JsonNode probe = Json.read(read(envelope.outputs().getFirst().path()), JsonNode.class);
        // The Cog container's namespace has only a loopback: the host's Kafka, PostgreSQL, gateway and S3 are not there.
        assertEquals(List.of("lo"), Json.MAPPER.convertValue(probe.get("interfaces"), List.class), probe.toString());
        for (String port : List.of("9092", "5432", "8081", "9000")) {
            assertEquals("ConnectionRefusedError", probe.path("ports").path(port).asText(), "port " + port + ": " + probe);
        }
    }

    @Test
    void keepContainerKeepsTheCogContainerButNotItsSidecar() {
        String id = newExecutionId();
        var plan = plan(image, id, Json.MAPPER.createObjectNode().put("text", "keep"), 60, true, true);

        assertEquals(RunStatus.SUCCESS, adapter.execute(plan, activeRun(id, plan)).status());

        var kept = docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(RunContainer.LABEL_EXECUTION, id)).exec();
        try {
            assertEquals(1, kept.size(), "keep_container keeps the Cog container; its sidecar went before the outputs were read");
            assertEquals("none", docker.inspectContainerCmd(kept.getFirst().getId()).exec().getHostConfig().getNetworkMode());
        } finally {
            kept.forEach(c -> docker.removeContainerCmd(c.getId()).withForce(true).exec());
        }
    }

    @Test
    void whileRunningTheCogContainerIsLockedDownAndTheSidecarUsesItsNetwork() throws Exception {
        String id = newExecutionId();
        var plan = plan(image, id, Json.MAPPER.createObjectNode().put("sleep", 30), 60, true, true);
        var run = activeRun(id, plan);
        var running = CompletableFuture.supplyAsync(() -> adapter.execute(plan, run));
        await().atMost(Duration.ofSeconds(30)).until(() -> running.isDone()
                || docker.listContainersCmd().withLabelFilter(Map.of(RunContainer.LABEL_EXECUTION, id)).exec().size() == 2);
        var containers = docker.listContainersCmd().withLabelFilter(Map.of(RunContainer.LABEL_EXECUTION, id)).exec();
        assertEquals(2, containers.size(), containers.toString());
        var cog = containers.stream().filter(c -> !c.getNames()[0].endsWith("-fwd")).findFirst().orElseThrow();
        var fwd = containers.stream().filter(c -> c.getNames()[0].endsWith("-fwd")).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(30)).until(() -> running.isDone() || logs(cog.getId()).contains("sleeping"));
        var cogHost = docker.inspectContainerCmd(cog.getId()).exec();
        assertEquals("none", cogHost.getHostConfig().getNetworkMode());
        assertEquals(Boolean.TRUE, cogHost.getHostConfig().getReadonlyRootfs());
        assertEquals(List.of(Capability.ALL), List.of(cogHost.getHostConfig().getCapDrop()));
        assertEquals("10001:10001", cogHost.getConfig().getUser());
        assertTrue(List.of(cogHost.getConfig().getEnv()).stream().noneMatch(e -> e.startsWith("HANGAR_")),
                "no Hangar environment in an unmodified Cog image: " + List.of(cogHost.getConfig().getEnv()));
        var side = docker.inspectContainerCmd(fwd.getId()).exec();
        assertEquals("container:" + cog.getId(), side.getHostConfig().getNetworkMode());
        assertEquals(Boolean.TRUE, side.getHostConfig().getReadonlyRootfs());
        assertEquals(List.of(Capability.ALL), List.of(side.getHostConfig().getCapDrop()));
        assertEquals(List.of("no-new-privileges"), side.getHostConfig().getSecurityOpts());
        assertEquals("10001:10001", side.getConfig().getUser());

        Fixtures.cancel(run);
        Envelope envelope = running.get(30, TimeUnit.SECONDS);
        assertEquals(RunStatus.CANCELED, envelope.status(), String.valueOf(envelope.error()));
        assertEquals(ErrorCode.ERR_CANCELED, envelope.error().code());
        // keep_container keeps the (stopped) Cog container, so its whole log can be read afterwards
        var kept = docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(RunContainer.LABEL_EXECUTION, id)).exec();
        try {
            assertEquals(List.of(cog.getId()), kept.stream().map(c -> c.getId()).toList(), "the sidecar is never kept");
            await().atMost(Duration.ofSeconds(10)).until(() -> logs(cog.getId()).contains("prediction " + id + " canceled"));
        } finally {
            kept.forEach(c -> docker.removeContainerCmd(c.getId()).withForce(true).exec());
        }
    }

    @Test
    void aFailingPredictionIsProcessorFailedWithCogsError() {
        String id = newExecutionId();
        var plan = plan(image, id, Json.MAPPER.createObjectNode().put("fail", true), 60, true, false);

        Envelope envelope = adapter.execute(plan, activeRun(id, plan));

        assertEquals(RunStatus.ERROR, envelope.status());
        assertEquals(ErrorCode.ERR_PROCESSOR_FAILED, envelope.error().code(), envelope.error().message());
        assertTrue(envelope.error().message().contains("ValueError: asked to fail"), envelope.error().message());
        assertFalse(publisher.bodies().stream().anyMatch(b -> b instanceof RunEvent.Output), "a failed run stores nothing");
        assertEquals(List.of(), leftovers(id));
    }

    @Test
    void aServerThatNeverBecomesReadyIsAClearErrorAndBothContainersGo() {
        String id = newExecutionId();
        var plan = plan(neverReady, id, Json.MAPPER.createObjectNode().put("text", "x"), 60, true, false);

        Envelope envelope = impatient.execute(plan, activeRun(id, plan));

        assertEquals(RunStatus.ERROR, envelope.status());
        assertEquals(ErrorCode.ERR_CONTAINER_FAILED, envelope.error().code(), envelope.error().message());
        assertTrue(envelope.error().message().contains("the Cog server did not become READY within 3 s"), envelope.error().message());
        assertNotNull(envelope.error().stderrTail());
        assertTrue(envelope.error().stderrTail().contains("never ready"), envelope.error().stderrTail());
        assertEquals(List.of(), leftovers(id));
    }

    @Test
    void aFailedSetupIsSetupFailedAndBothContainersGo() {
        String id = newExecutionId();
        var plan = plan(setupFails, id, Json.MAPPER.createObjectNode().put("text", "x"), 60, true, false);

        Envelope envelope = adapter.execute(plan, activeRun(id, plan));

        assertEquals(ErrorCode.ERR_SETUP_FAILED, envelope.error().code(), envelope.error().message());
        assertEquals(List.of(), leftovers(id));
    }

    @Test
    void aRunPastItsDeadlineKillsBothAndTimesOut() {
        String id = newExecutionId();
        var plan = plan(image, id, Json.MAPPER.createObjectNode().put("sleep", 60), 3, true, false);

        Envelope envelope = adapter.execute(plan, activeRun(id, plan));

        assertEquals(ErrorCode.ERR_TIMEOUT, envelope.error().code(), envelope.error().message());
        assertEquals(List.of(), leftovers(id));
    }

    @Test
    void realModeIsRefusedBeforeAnythingStarts() {
        String id = newExecutionId();
        var plan = plan(image, id, Json.MAPPER.createObjectNode().put("text", "x"), 60, false, false);

        Envelope envelope = adapter.execute(plan, activeRun(id, plan));

        assertEquals(ErrorCode.ERR_ADAPTER_UNAVAILABLE, envelope.error().code());
        assertTrue(envelope.error().message().contains("mock mode only"), envelope.error().message());
        assertEquals(List.of(), leftovers(id));
    }

    private RunPlan plan(String image, String executionId, JsonNode inputs, int timeoutSeconds, boolean mock, boolean keep) {
        var ref = ProcessorRef.parse(Fixtures.REF);
        var limits = new ProcessorSpec.Resources(0.5, 256, 0, timeoutSeconds);
        var spec = new ProcessorSpec(ref, "hand-made Cog image", null, Map.of(), limits, List.of(),
                Fixtures.json("{\"type\":\"object\"}"), List.of(), null, null, null, ProcessorSpec.SERVER_COG_HTTP);
        return new RunPlan(spec, image, WritePrefix.resolve(null, ref, executionId), inputs, mock, limits, Map.of(), Map.of(), keep);
    }

    private ActiveRun activeRun(String executionId, RunPlan plan) {
        return Fixtures.activeRun(Fixtures.command(executionId), publisher, plan);
    }

    private static String logs(String container) throws Exception {
        Process p = new ProcessBuilder("docker", "logs", container).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    private String read(String path) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(ArtifactPath.toKey(path))).asString(StandardCharsets.UTF_8);
    }

    private List<String> leftovers(String executionId) {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(RunContainer.LABEL_EXECUTION, executionId)).exec().stream()
                .map(c -> c.getId() + " " + c.getState()).toList();
    }

    private static String newExecutionId() {
        return "cog-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    private static void dockerBuild(Path context, String tag, String buildArg) throws Exception {
        var builder = new ProcessBuilder("docker", "build", "-q", "--network", "none", "-t", tag, "--build-arg", buildArg,
                context.toAbsolutePath().toString()).redirectErrorStream(true);
        builder.environment().put("DOCKER_BUILDKIT", "0");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException("docker build of " + context + " failed:\n" + output);
        }
    }
}
