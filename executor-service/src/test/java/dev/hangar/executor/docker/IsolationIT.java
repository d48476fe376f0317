package dev.hangar.executor.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.DockerClient;
import com.sun.net.httpserver.HttpServer;
import dev.hangar.contracts.ArtifactPath;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunStatus;
import dev.hangar.contracts.WritePrefix;
import dev.hangar.executor.service.ActiveRun;
import dev.hangar.executor.service.Fixtures;
import dev.hangar.executor.service.Redactor;
import dev.hangar.executor.service.RunPlan;
import dev.hangar.executor.store.OutputStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The executor against a processor that plays the attacker (src/test/resources/processors/hostile),
 * on this host's Docker engine with the stack's S3: outputs that point outside, floods, a canary
 * secret echoed everywhere, and a real-mode run that tries the platform's ports.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IsolationIT {
    static final String EXECUTOR_ID = "executor-isolation-it";
    static final TestLimits LIMITS = new TestLimits(50, 1024 * 1024, 256 * 1024, 8);

    private DockerClient docker;
    private S3Client s3;
    private String bucket;
    private Path workDir;
    private String image;
    private LocalAdapter adapter;
    private final Fixtures.RecordingPublisher publisher = new Fixtures.RecordingPublisher();

    @BeforeAll
    void setUp() throws IOException {
        docker = TestImages.engine();
        bucket = System.getenv().getOrDefault("ARTIFACTS_BUCKET", "hangar-artifacts");
        s3 = Fixtures.stackS3();
        image = TestImages.processor(docker, Path.of("src/test/resources/processors/hostile"), "executor-hostile");
        workDir = Files.createTempDirectory("hangar-isolation");
        var config = Fixtures.TestConfig.defaults(workDir).withId(EXECUTOR_ID);
        adapter = new LocalAdapter(docker, new ImageResolver(docker), new RunFolders(config),
                new OutputStore(s3, () -> bucket), config, LIMITS);
    }

    @AfterAll
    void tearDown() throws IOException {
        TestImages.cleanUp(docker, EXECUTOR_ID, workDir);
    }

    // ---- outputs ----

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"symlink-file", "symlink-relative", "symlink-dir", "replace-outputs", "hardlink", "fifo", "socket"})
    void anOutputThatIsNotARegularFileOfTheFolderFailsTheRunAndNothingIsStored(String attack) {
        var run = run(attack, Map.of(), false, Map.of(), List.of(), false);

        assertEquals(RunStatus.ERROR, run.envelope.status(), attack + " must not succeed");
        assertEquals(ErrorCode.ERR_OUTPUT_INVALID, run.envelope.error().code(), run.envelope.error().message());
        String offending = switch (attack) {
            case "symlink-file", "symlink-relative" -> "hostname";
            case "symlink-dir" -> "sub/etc";
            case "replace-outputs" -> "outputs";
            case "hardlink" -> "linked.txt";
            case "fifo" -> "pipe";
            default -> "sock";
        };
        assertTrue(run.envelope.error().message().contains("output " + offending + " was refused"), run.envelope.error().message());
        assertEquals(List.of(), stored(run.prefix), "nothing of the run reaches S3, not even the innocent file or the index");
        assertFalse(publisher.types().contains(RunEvent.Type.OUTPUT));
    }

    @Test
    void aDeviceCannotEvenBeCreatedInside() {
        var run = run("device", Map.of(), false, Map.of(), List.of(), false);
        assertEquals(RunStatus.SUCCESS, run.envelope.status(), String.valueOf(run.envelope.error()));
        assertTrue(read(run.envelope, "output.json").contains("refused"), "no CAP_MKNOD in the container");
    }

    @Test
    void aRegularFileIsStillStored() {
        var run = run("flood-files", Map.of("count", 3), false, Map.of(), List.of(), false);
        assertEquals(RunStatus.SUCCESS, run.envelope.status(), String.valueOf(run.envelope.error()));
        assertEquals(List.of("f00000.txt", "f00001.txt", "f00002.txt", "innocent.txt"),
                run.envelope.outputs().stream().map(o -> o.path().substring(run.prefix.length())).toList());
    }

    // ---- floods ----

    @Test
    void tooManyOutputFilesFailTheRunAndStoreNothing() {
        var run = run("flood-files", Map.of("count", LIMITS.maxOutputFiles() + 1), false, Map.of(), List.of(), false);
        assertEquals(ErrorCode.ERR_OUTPUT_LIMIT, run.envelope.error().code(), run.envelope.error().message());
        assertTrue(run.envelope.error().message().contains("hangar.executor.limits.max-output-files"), run.envelope.error().message());
        assertEquals(List.of(), stored(run.prefix));
    }

    @Test
    void tooManyOutputBytesFailTheRunAndStoreNothing() {
        var run = run("flood-bytes", Map.of("bytes", LIMITS.maxOutputBytes() + 1), false, Map.of(), List.of(), false);
        assertEquals(ErrorCode.ERR_OUTPUT_LIMIT, run.envelope.error().code(), run.envelope.error().message());
        assertTrue(run.envelope.error().message().contains("hangar.executor.limits.max-output-bytes"), run.envelope.error().message());
        assertEquals(List.of(), stored(run.prefix));
    }

    @Test
    void anEventLargerThanTheReplyLimitFailsTheRunWithoutReadingIt() {
        var run = run("flood-event", Map.of("bytes", 4 * LIMITS.maxReplyBytes()), false, Map.of(), List.of(), false);
        assertEquals(ErrorCode.ERR_OUTPUT_LIMIT, run.envelope.error().code(), run.envelope.error().message());
        assertTrue(run.envelope.error().message().contains("hangar.executor.limits.max-reply-bytes"), run.envelope.error().message());
        assertEquals(List.of(), stored(run.prefix));
    }

    // ---- secrets ----

    @Test
    void aCanarySecretIsMaskedEverywhereAndNotInTheContainersConfig() {
        String canary = "cnry-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        var run = run("canary", Map.of(), true, Map.of("CANARY", canary), List.of(), true);
        try {
            assertEquals(ErrorCode.ERR_PROCESSOR_FAILED, run.envelope.error().code(), run.envelope.error().message());
            String everything = Json.write(run.envelope) + publisher.events.stream().map(Json::write).toList();
            assertFalse(everything.contains(canary), "the canary leaked: " + everything);
            var bodies = publisher.bodies();
            assertTrue(bodies.contains(new RunEvent.Log("stdout", "log line with " + Redactor.MASK + " inside")), bodies.toString());
            // the masking stream may hold a token's tail back and send it as a token of its own
            String tokens = bodies.stream().filter(RunEvent.Token.class::isInstance).map(b -> ((RunEvent.Token) b).text())
                    .collect(java.util.stream.Collectors.joining());
            assertEquals("token " + Redactor.MASK, tokens, bodies.toString());
            assertTrue(bodies.contains(new RunEvent.Progress(0.5, "progress " + Redactor.MASK)), bodies.toString());
            assertTrue(run.envelope.error().message().contains("error " + Redactor.MASK), run.envelope.error().message());
            assertTrue(bodies.contains(new RunEvent.Log("stdout",
                    "canary-set=True proc1-environ-has-it=False secrets-socket-left=False")), bodies.toString());

            var kept = docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(RunContainer.LABEL_EXECUTION, run.id)).exec();
            assertEquals(1, kept.size());
            var inspect = docker.inspectContainerCmd(kept.getFirst().getId()).exec();
            assertFalse(Json.write(inspect).contains(canary), "docker inspect shows the canary");
            assertEquals("none", inspect.getHostConfig().getNetworkMode(), "real mode has no network either");
        } finally {
            docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(RunContainer.LABEL_EXECUTION, run.id)).exec()
                    .forEach(c -> docker.removeContainerCmd(c.getId()).withForce(true).exec());
        }
    }

    // ---- network ----

    @Test
    void aRealModeRunReachesOnlyItsAllowedDestinationAndOnlyThroughTheProxy() throws IOException {
        var requests = new CopyOnWriteArrayList<String>();
        HttpServer allowed = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        allowed.createContext("/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            byte[] body = "allowed-server".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        allowed.start();
        try {
            String ok = "127.0.0.1:" + allowed.getAddress().getPort();
            List<String> platform = List.of("127.0.0.1:9092", "127.0.0.1:5432", "127.0.0.1:8081", "127.0.0.1:8083");
            var run = run("network", Map.of("targets", platform, "allowed", ok, "not_allowed", "127.0.0.1:9000"),
                    true, Map.of(), List.of(ok), false);

            assertEquals(RunStatus.SUCCESS, run.envelope.status(), String.valueOf(run.envelope.error()));
            JsonNode report = Json.MAPPER.readTree(read(run.envelope, "report.json"));
            for (String target : platform) {
                assertTrue(report.path("direct").path(target).asText().startsWith("failed"), target + ": " + report);
                assertEquals("403", report.path("connect").path(target).asText(), target + ": " + report);
                assertEquals("403", report.path("http").path(target).asText(), target + ": " + report);
            }
            assertTrue(report.path("direct").path(ok).asText().startsWith("failed"), "not even the allowed one directly: " + report);
            assertEquals("403", report.path("connect").path("127.0.0.1:9000").asText(), report.toString());
            assertEquals("403", report.path("http").path("127.0.0.1:9000").asText(), report.toString());
            assertEquals("200 allowed-server", report.path("connect").path(ok).asText(), "CONNECT to the allowed pair: " + report);
            assertEquals("200 allowed-server", report.path("http").path(ok).asText(), "plain HTTP to the allowed pair: " + report);
            assertTrue(requests.containsAll(List.of("GET /tunnel", "GET /hello")), requests.toString());
            assertTrue(publisher.bodies().contains(new RunEvent.Log("stderr",
                    "hangar-egress: refused CONNECT 127.0.0.1:9092: 127.0.0.1:9092 is not in this processor's network.allow")),
                    publisher.bodies().toString());
        } finally {
            allowed.stop(0);
        }
    }

    @Test
    void mockModeGetsNoProxyEvenWithAnAllowList() throws IOException {
        var run = run("network", Map.of("targets", List.of("127.0.0.1:9092"), "allowed", "127.0.0.1:8082",
                "not_allowed", "127.0.0.1:9000"), false, Map.of(), List.of("127.0.0.1:8082"), false);
        assertEquals(RunStatus.SUCCESS, run.envelope.status(), String.valueOf(run.envelope.error()));
        JsonNode report = Json.MAPPER.readTree(read(run.envelope, "report.json"));
        assertEquals("", report.path("proxy").asText(), report.toString());
        assertTrue(report.path("direct").path("127.0.0.1:8082").asText().startsWith("failed"), report.toString());
    }

    // ---- helpers ----

    record Run(String id, String prefix, Envelope envelope) {}

    private Run run(String attack, Map<String, Object> params, boolean real, Map<String, String> secrets, List<String> allow,
                    boolean keep) {
        publisher.events.clear();
        String id = "iso-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        var ref = ProcessorRef.parse(Fixtures.REF);
        var limits = new ProcessorSpec.Resources(0.5, 256, 0, 60);
        var spec = new ProcessorSpec(ref, "hostile", null, Map.of(), limits, List.copyOf(secrets.keySet()),
                Fixtures.json("{\"type\":\"object\"}"), List.of(), new ProcessorSpec.Network(allow), null);
        ObjectNode inputs = Json.MAPPER.valueToTree(params);
        inputs.put("attack", attack);
        String prefix = WritePrefix.resolve(null, ref, id);
        var plan = new RunPlan(spec, image, prefix, inputs, !real, limits, Map.of(), secrets, keep);
        ActiveRun active = Fixtures.activeRun(Fixtures.command(id, n -> n.put("mode", real ? "real" : "mock")), publisher, plan);
        return new Run(id, prefix, adapter.execute(plan, active));
    }

    private List<String> stored(String prefix) {
        return s3.listObjectsV2(b -> b.bucket(bucket).prefix(ArtifactPath.toKey(prefix))).contents().stream()
                .map(o -> o.key()).toList();
    }

    private String read(Envelope envelope, String name) {
        OutputRef ref = envelope.outputs().stream().filter(o -> o.path().endsWith("/" + name)).findFirst().orElseThrow(
                () -> new AssertionError("no output " + name + " in " + envelope.outputs()));
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(ArtifactPath.toKey(ref.path()))).asString(StandardCharsets.UTF_8);
    }
}
