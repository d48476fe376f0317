package dev.hangar.executor.docker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.DockerClient;
import dev.hangar.contracts.ArtifactPath;
import dev.hangar.contracts.ContentId;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.RunStatus;
import dev.hangar.contracts.WritePrefix;
import dev.hangar.executor.config.WarmConfig;
import dev.hangar.executor.service.ActiveRun;
import dev.hangar.executor.service.Fixtures;
import dev.hangar.executor.service.RunPlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Warm containers on this host's Docker engine with the stack's S3, against a processor that
 * plays the attacker across runs (src/test/resources/processors/warm): nothing of one run is
 * there for the next in the same container, hits and scopes, slots, a container killed idle or
 * mid-run, deadline and cancel, a symlink swapped in after predict, idle scale-down.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WarmPoolIT {
    static final String EXECUTOR_ID = "executor-warm-it";
    private static final WarmConfig QUICK = new WarmConfig() {
        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public Duration monitorInterval() {
            return Duration.ofMillis(250);
        }

        @Override
        public Duration specCacheTtl() {
            return Duration.ofSeconds(5);
        }
    };

    private static final java.util.concurrent.ExecutorService THREADS = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    private DockerClient docker;
    private S3Client s3;
    private String bucket;
    private Path workDir;
    private String image;
    private WarmPool pool;
    private LocalAdapter adapter;
    private final Fixtures.RecordingPublisher publisher = new Fixtures.RecordingPublisher();

    @BeforeAll
    void setUp() throws IOException {
        docker = TestImages.engine();
        assumeTrue(RunFolders.executorIsRoot(), "skipped: warm containers need the executor to run as root (it seals run folders)");
        var rig = WarmRig.open(docker, EXECUTOR_ID, QUICK, "hangar-warm");
        s3 = rig.s3();
        bucket = rig.bucket();
        image = rig.image();
        workDir = rig.workDir();
        pool = rig.pool();
        adapter = rig.adapter();
    }

    @AfterAll
    void tearDown() throws IOException {
        if (docker == null) {
            return;
        }
        if (pool != null) {
            pool.close();
            assertEquals(List.of(), containersOfThisExecutor(), "closing the pool removes its containers");
        }
        TestImages.cleanUp(docker, EXECUTOR_ID, workDir);
    }

    // ---- isolation between runs ----

    @Test
    void aSecondRunInTheSameWarmContainerFindsNoneOfTheFirstRunsFiles() throws IOException {
        var warm = new ProcessorSpec.Warm(0, 1, 1, 60, "owner");
        String owner = owner();
        String note = "input of the first run " + owner;
        String attachment = attach("note.txt", note);

        var first = run(owner, warm, Map.of("action", "plant", "input", Map.of("$attach", "note")), 30,
                n -> n.set("attachments", Json.MAPPER.valueToTree(Map.of("note", attachment))));
        assertEquals(RunStatus.SUCCESS, first.envelope.status(), String.valueOf(first.envelope.error()));
        JsonNode planted = report(first.envelope);
        assertEquals(note, planted.path("input_read").asText(), "the first run read its own input");
        assertTrue(planted.path("input_path").asText().startsWith("/hangar/io/runs/"), planted.toString());
        assertEquals(first.id, planted.path("execution_id").asText(), "self.execution_id is the run's");

        var paths = new ArrayList<String>();
        planted.path("planted").forEach(p -> paths.add(p.asText()));
        paths.add(planted.path("input_path").asText());
        paths.add(planted.path("output_dir").asText() + "/report.json");
        var second = run(owner, warm, Map.of("action", "snoop", "paths", paths), 30, n -> { });
        assertEquals(RunStatus.SUCCESS, second.envelope.status(), String.valueOf(second.envelope.error()));
        JsonNode snooped = report(second.envelope);

        assertEquals(planted.path("hostname").asText(), snooped.path("hostname").asText(), "the same container served both");
        assertEquals(planted.path("pid").asInt(), snooped.path("pid").asInt(), "the same runtime process served both");
        assertEquals(1, containersOfThisExecutor().stream().filter(c -> c.startsWith(snooped.path("hostname").asText())).count());
        snooped.path("found").properties().forEach(e ->
                assertTrue(e.getValue().asText().startsWith("error: "), e.getKey() + " of the first run was found: " + e.getValue()));
        String listing = snooped.path("io").toString() + snooped.path("tmp");
        assertFalse(listing.contains("planted"), "nothing the first run planted is listed: " + listing);
        assertFalse(listing.contains(note), listing);
        String ownFolder = Path.of(snooped.path("output_dir").asText()).getParent().getFileName().toString();
        assertEquals(List.of(ownFolder), Json.MAPPER.convertValue(snooped.path("runs"), List.class),
                "only the run's own folder is in runs/");
        assertTrue(snooped.path("squat").asText().startsWith("refused"), "a run cannot make folders in runs/: " + snooped);
    }

    // ---- hits and scopes ----

    @Test
    void aSecondRunIsAWarmHitAndOwnersGetContainersOfTheirOwnUnlessTheScopeIsShared() throws IOException {
        var perOwner = new ProcessorSpec.Warm(0, 2, 1, 60, "owner");
        String alice = owner();
        String bob = owner();
        String a1 = hostname(run(alice, perOwner, Map.of("action", "sleep", "seconds", 0), 30, n -> { }));
        int containers = containersOfThisExecutor().size();
        String a2 = hostname(run(alice, perOwner, Map.of("action", "sleep", "seconds", 0), 30, n -> { }));
        assertEquals(a1, a2, "the second run of an owner is a warm hit");
        assertEquals(containers, containersOfThisExecutor().size(), "no container was started for it");
        String b1 = hostname(run(bob, perOwner, Map.of("action", "sleep", "seconds", 0), 30, n -> { }));
        assertNotEquals(a1, b1, "another owner gets a container of its own");

        var shared = new ProcessorSpec.Warm(0, 2, 1, 60, "shared");
        String s1 = hostname(run(alice, shared, Map.of("action", "sleep", "seconds", 0), 30, n -> { }));
        String s2 = hostname(run(bob, shared, Map.of("action", "sleep", "seconds", 0), 30, n -> { }));
        assertEquals(s1, s2, "a shared-scope spec lets owners share a container (mock mode)");
        assertNotEquals(a1, s1);
    }

    @Test
    void realModeIsAlwaysPerOwnerAndItsSecretsReachTheContainer() throws IOException {
        var shared = new ProcessorSpec.Warm(0, 2, 1, 60, "shared");
        String alice = owner();
        String bob = owner();
        var a1 = runReal(alice, shared, Map.of("CANARY", "cnry-a"));
        var a2 = runReal(alice, shared, Map.of("CANARY", "cnry-a"));
        assertTrue(report(a1.envelope).path("canary_set").asBoolean(), "the secret reached the runtime: " + report(a1.envelope));
        assertEquals("real", report(a1.envelope).path("mode").asText());
        assertEquals(hostname(a1), hostname(a2), "the same owner's real runs share a container");
        assertNotEquals(hostname(a1), hostname(runReal(bob, shared, Map.of("CANARY", "cnry-b"))),
                "real mode is per owner even for a shared-scope spec");
        assertNotEquals(hostname(a1), hostname(runReal(alice, shared, Map.of("CANARY", "cnry-a2"))),
                "a changed secret value gets a container of its own");
        assertNotEquals(hostname(a1), hostname(run(alice, shared, Map.of("action", "secret"), 30, n -> { })),
                "mock and real runs never share");
        var anonymous = runReal(null, shared, Map.of("CANARY", "cnry-a"));
        assertEquals(RunStatus.SUCCESS, anonymous.envelope.status(), String.valueOf(anonymous.envelope.error()));
        assertEquals(null, anonymous.key, "a real run without an owner goes the cold way");
    }

    private Run runReal(String owner, ProcessorSpec.Warm warm, Map<String, String> secrets) {
        String id = "warm-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        var ref = ProcessorRef.parse(Fixtures.REF);
        var limits = new ProcessorSpec.Resources(0.5, 256, 0, 30);
        var spec = new ProcessorSpec(ref, "warm", null, Map.of(), limits, List.copyOf(secrets.keySet()),
                Fixtures.json("{\"type\":\"object\"}"), List.of(), null, null, warm);
        ObjectNode inputs = Json.MAPPER.valueToTree(Map.of("action", "secret"));
        String prefix = WritePrefix.resolve(null, ref, id);
        var plan = new RunPlan(spec, image, prefix, inputs, false, limits, Map.of(), secrets, false);
        ActiveRun active = Fixtures.activeRun(Fixtures.command(id, n -> {
            n.put("mode", "real").set("inputs", inputs);
            if (owner != null) {
                n.put("owner", owner);
            }
        }), publisher, plan);
        var envelope = adapter.execute(plan, active);
        return new Run(id, prefix, WarmKey.of(plan, Mode.REAL, owner), envelope);
    }

    // ---- slots ----

    @Test
    void twoRunsOverlapInOneContainerAndAThirdWaitsForASlot() throws IOException {
        var warm = new ProcessorSpec.Warm(0, 1, 2, 60, "owner");
        String owner = owner();
        hostname(run(owner, warm, Map.of("action", "sleep", "seconds", 0), 30, n -> { })); // started, READY
        var runs = new ArrayList<CompletableFuture<Run>>();
        for (int i = 0; i < 3; i++) {
            runs.add(CompletableFuture.supplyAsync(() -> run(owner, warm, Map.of("action", "sleep", "seconds", 2), 30, n -> { }),
                    THREADS));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.waiting() >= 1);
        var reports = runs.stream().map(CompletableFuture::join).map(r -> report(r.envelope)).toList();
        assertEquals(1, reports.stream().map(r -> r.path("hostname").asText()).distinct().count(), "all in one container");
        var byStart = reports.stream().sorted(java.util.Comparator.comparingDouble(r -> r.path("start").asDouble())).toList();
        assertTrue(byStart.get(1).path("start").asDouble() < byStart.get(0).path("end").asDouble(), "two overlap: " + byStart);
        double firstEnd = Math.min(byStart.get(0).path("end").asDouble(), byStart.get(1).path("end").asDouble());
        assertTrue(byStart.get(2).path("start").asDouble() >= firstEnd - 0.05, "the third ran once a slot was free: " + byStart);
    }

    @Test
    void theGroupGrowsWithItsQueueUpToMaxWarmAndNoFurther() {
        var warm = new ProcessorSpec.Warm(0, 2, 1, 60, "owner");
        String owner = owner();
        var runs = new ArrayList<CompletableFuture<Run>>();
        for (int i = 0; i < 3; i++) {
            runs.add(CompletableFuture.supplyAsync(() -> run(owner, warm, Map.of("action", "sleep", "seconds", 2), 60, n -> { }),
                    THREADS));
        }
        var hosts = runs.stream().map(CompletableFuture::join).map(this::hostname).toList();
        assertEquals(2, hosts.stream().distinct().count(), "two containers for three queued runs (max_warm 2): " + hosts);
    }

    // ---- failures ----

    @Test
    void aContainerKilledWhileIdleIsReplacedAndTheNextRunSucceeds() throws IOException {
        var warm = new ProcessorSpec.Warm(1, 1, 1, 60, "owner");
        String owner = owner();
        var first = run(owner, warm, Map.of("action", "sleep", "seconds", 0), 30, n -> { });
        String killed = hostname(first);
        docker.killContainerCmd(idOf(killed)).exec();
        await().atMost(Duration.ofSeconds(20)).until(() -> pool.containers(first.key).stream()
                .anyMatch(c -> c.state() == WarmContainer.State.READY && !c.id().startsWith(killed)));
        var next = run(owner, warm, Map.of("action", "sleep", "seconds", 0), 30, n -> { });
        assertEquals(RunStatus.SUCCESS, next.envelope.status(), String.valueOf(next.envelope.error()));
        assertNotEquals(killed, hostname(next), "the replacement served it");
    }

    @Test
    void aContainerKilledMidRunFailsThatRunWithContainerFailedWithoutHanging() throws Exception {
        var warm = new ProcessorSpec.Warm(0, 1, 1, 60, "owner");
        String owner = owner();
        String host = hostname(run(owner, warm, Map.of("action", "sleep", "seconds", 0), 30, n -> { }));
        var running = CompletableFuture.supplyAsync(() -> run(owner, warm, Map.of("action", "sleep", "seconds", 60), 120, n -> { }),
                THREADS);
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.busySlots() >= 1);
        Thread.sleep(300); // into the prediction
        docker.killContainerCmd(idOf(host)).exec();
        var run = running.get(15, TimeUnit.SECONDS);
        assertEquals(ErrorCode.ERR_CONTAINER_FAILED, run.envelope.error().code(), run.envelope.error().message());
        assertTrue(ProcessorSpec.Retry.retries(ErrorCode.ERR_CONTAINER_FAILED), "which the retry policy attempts again");
        var next = run(owner, warm, Map.of("action", "sleep", "seconds", 0), 30, n -> { });
        assertEquals(RunStatus.SUCCESS, next.envelope.status(), "a new container serves the next run");
    }

    @Test
    void throughRunServiceARunWhoseContainerIsKilledMidRunIsAttemptedAgainAndSucceeds() throws Exception {
        var warm = new ProcessorSpec.Warm(0, 1, 1, 60, "owner");
        String owner = owner();
        var ref = ProcessorRef.parse(Fixtures.REF);
        var spec = new ProcessorSpec(ref, "warm", null, Map.of(), new ProcessorSpec.Resources(0.5, 256, 0, 60), List.of(),
                Fixtures.json("{\"type\":\"object\"}"), List.of(), null, new ProcessorSpec.Retry(3, 0), warm);
        var registry = new dev.hangar.executor.client.RegistryClient() {
            @Override
            public ProcessorSpec get(String ns, String name, int version) {
                return spec;
            }

            @Override
            public dev.hangar.contracts.LocalBuild latestBuild(String ns, String name, int version) {
                throw new AssertionError("the command names its local build");
            }
        };
        var runs = Fixtures.service(publisher, registry, (token, lookup) -> new dev.hangar.contracts.SecretValue.Values(Map.of()),
                List.of(adapter));
        String id = "warm-svc-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        var command = Fixtures.command(id, n -> n.put("mode", "mock").put("owner", owner).put("build", true).put("image", image)
                .set("inputs", Json.MAPPER.valueToTree(Map.of("action", "sleep", "seconds", 3))));
        var result = CompletableFuture.supplyAsync(() -> runs.execute(command), THREADS);
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.busySlots() >= 1 && !containersOfThisExecutor().isEmpty()
                && pool.containers(WarmKey.of(new RunPlan(spec, image, "/artifacts/x/", null, true, spec.runtime(), Map.of(), Map.of(),
                false), Mode.MOCK, owner)).stream().anyMatch(c -> c.state() == WarmContainer.State.READY));
        Thread.sleep(500); // into the prediction
        var key = WarmKey.of(new RunPlan(spec, image, "/artifacts/x/", null, true, spec.runtime(), Map.of(), Map.of(), false),
                Mode.MOCK, owner);
        docker.killContainerCmd(pool.containers(key).getFirst().id()).exec();

        Envelope envelope = result.get(60, TimeUnit.SECONDS);
        assertEquals(RunStatus.SUCCESS, envelope.status(), String.valueOf(envelope.error()));
        assertEquals(2, envelope.meta().attempt(), "the second attempt, in a new warm container, succeeded");
    }

    @Test
    void aRunPastItsDeadlineEndsTimedOutAndItsContainerStaysWhenThePredictionStops() throws IOException {
        var warm = new ProcessorSpec.Warm(0, 1, 1, 60, "owner");
        String owner = owner();
        String host = hostname(run(owner, warm, Map.of("action", "sleep", "seconds", 0), 30, n -> { }));
        var late = run(owner, warm, Map.of("action", "sleep", "seconds", 30), 2, n -> { });
        assertEquals(ErrorCode.ERR_TIMEOUT, late.envelope.error().code(), late.envelope.error().message());
        assertEquals(host, hostname(run(owner, warm, Map.of("action", "sleep", "seconds", 0), 30, n -> { })),
                "the canceled prediction stopped: the container serves on");
    }

    @Test
    void aPredictionThatIgnoresItsCancelCostsItsContainer() throws IOException {
        var warm = new ProcessorSpec.Warm(0, 1, 1, 60, "owner");
        String owner = owner();
        String host = hostname(run(owner, warm, Map.of("action", "sleep", "seconds", 0), 30, n -> { }));
        long started = System.nanoTime();
        var stubborn = run(owner, warm, Map.of("action", "stubborn", "seconds", 60), 2, n -> { });
        assertEquals(ErrorCode.ERR_TIMEOUT, stubborn.envelope.error().code(), stubborn.envelope.error().message());
        assertTrue(stubborn.envelope.error().message().contains("warm container was removed"), stubborn.envelope.error().message());
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(15), "deadline + cancel grace, not the 60 s it wanted");
        await().atMost(Duration.ofSeconds(10)).until(() -> containersOfThisExecutor().stream().noneMatch(c -> c.startsWith(host)));
        assertNotEquals(host, hostname(run(owner, warm, Map.of("action", "sleep", "seconds", 0), 30, n -> { })));
    }

    @Test
    void aCanceledWarmRunEndsCanceled() throws Exception {
        var warm = new ProcessorSpec.Warm(0, 1, 1, 60, "owner");
        String owner = owner();
        hostname(run(owner, warm, Map.of("action", "sleep", "seconds", 0), 30, n -> { }));
        var active = new CompletableFuture<ActiveRun>();
        var running = CompletableFuture.supplyAsync(() -> run(owner, warm, Map.of("action", "sleep", "seconds", 30), 60, n -> { },
                active::complete), THREADS);
        ActiveRun run = active.get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.busySlots() >= 1);
        Thread.sleep(300);
        Fixtures.cancel(run);
        var canceled = running.get(15, TimeUnit.SECONDS);
        assertEquals(ErrorCode.ERR_CANCELED, canceled.envelope.error().code(), canceled.envelope.error().message());
    }

    // ---- outputs ----

    @Test
    void aSymlinkSwappedInAfterPredictReturnedIsRefusedOrTooLateAndNoHostFileReachesS3() throws IOException {
        var warm = new ProcessorSpec.Warm(0, 1, 1, 60, "owner");
        String owner = owner();
        String hostName = Files.readString(Path.of("/etc/hostname")).strip();
        for (String target : List.of("/proc/1/root/etc/hostname", "/etc/hostname", "/hangar/io/runtime.sock")) {
            for (double headStart : new double[] {0, 0.05}) {
                var run = run(owner, warm, Map.of("action", "swap", "link_to", target, "head_start", headStart), 30, n -> { });
                if (run.envelope.status() == RunStatus.SUCCESS) {
                    assertEquals("my own bytes\n", read(run.envelope, "result.txt"), "only its own bytes were stored");
                } else {
                    assertEquals(ErrorCode.ERR_OUTPUT_INVALID, run.envelope.error().code(), run.envelope.error().message());
                    assertEquals(List.of(), stored(run.prefix), "nothing of a refused run is stored");
                }
                for (String key : stored(run.prefix)) {
                    String body = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String();
                    assertFalse(!hostName.isEmpty() && body.strip().equals(hostName), key + " holds the host's hostname");
                }
            }
        }
    }

    // ---- scale-down ----

    @Test
    void anIdleContainerIsRemovedAfterItsIdleSeconds() throws IOException {
        var warm = new ProcessorSpec.Warm(0, 1, 1, 1, "owner");
        var run = run(owner(), warm, Map.of("action", "sleep", "seconds", 0), 30, n -> { });
        String host = hostname(run);
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.containers(run.key).isEmpty());
        await().atMost(Duration.ofSeconds(5)).until(() -> containersOfThisExecutor().stream().noneMatch(c -> c.startsWith(host)));
    }

    // ---- helpers ----

    record Run(String id, String prefix, WarmKey key, Envelope envelope) {}

    private Run run(String owner, ProcessorSpec.Warm warm, Map<String, Object> params, int timeout, Consumer<ObjectNode> edit) {
        return run(owner, warm, params, timeout, edit, r -> { });
    }

    private Run run(String owner, ProcessorSpec.Warm warm, Map<String, Object> params, int timeout, Consumer<ObjectNode> edit,
                    Consumer<ActiveRun> started) {
        String id = "warm-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        var ref = ProcessorRef.parse(Fixtures.REF);
        var limits = new ProcessorSpec.Resources(0.5, 256, 0, timeout);
        var spec = new ProcessorSpec(ref, "warm", null, Map.of(), limits, List.of(), Fixtures.json("{\"type\":\"object\"}"),
                List.of(), null, null, warm);
        ObjectNode inputs = Json.MAPPER.valueToTree(params);
        String prefix = WritePrefix.resolve(null, ref, id);
        var command = Fixtures.command(id, n -> {
            n.put("mode", "mock").put("owner", owner).set("inputs", inputs);
            edit.accept(n);
        });
        var resolved = dev.hangar.contracts.Attachments.resolve(command.inputs(), command.attachments()); // as RunService plans
        var plan = new RunPlan(spec, image, prefix, resolved.inputs(), true, limits, resolved.files(), Map.of(), false);
        ActiveRun active = Fixtures.activeRun(command, publisher, plan);
        started.accept(active);
        var envelope = adapter.execute(plan, active);
        return new Run(id, prefix, WarmKey.of(plan, Mode.MOCK, owner), envelope);
    }

    private static String owner() {
        return "owner-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    private String attach(String name, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String path = "/artifacts/inputs/" + ContentId.of(bytes) + "/" + name;
        s3.putObject(b -> b.bucket(bucket).key(ArtifactPath.toKey(path)), RequestBody.fromBytes(bytes));
        return path;
    }

    private String hostname(Run run) {
        assertEquals(RunStatus.SUCCESS, run.envelope.status(), String.valueOf(run.envelope.error()));
        return report(run.envelope).path("hostname").asText();
    }

    private String idOf(String hostname) {
        return containersOfThisExecutor().stream().filter(c -> c.startsWith(hostname)).findFirst()
                .orElseThrow(() -> new AssertionError("no container " + hostname));
    }

    private List<String> containersOfThisExecutor() {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(RunContainer.LABEL_EXECUTOR, EXECUTOR_ID)).exec().stream()
                .map(c -> c.getId()).toList();
    }

    private JsonNode report(Envelope envelope) {
        try {
            return Json.MAPPER.readTree(read(envelope, "report.json"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private List<String> stored(String prefix) {
        return s3.listObjectsV2(b -> b.bucket(bucket).prefix(ArtifactPath.toKey(prefix))).contents().stream()
                .map(o -> o.key()).toList();
    }

    private String read(Envelope envelope, String name) {
        OutputRef ref = envelope.outputs().stream().filter(o -> o.path().endsWith("/" + name)).findFirst().orElseThrow(
                () -> new AssertionError("no output " + name + " in " + envelope.outputs() + " " + envelope.error()));
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(ArtifactPath.toKey(ref.path()))).asString(StandardCharsets.UTF_8);
    }
}
