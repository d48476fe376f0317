package dev.hangar.runtime.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One warm container serving many runs (warm.py): runs at the same time up to
 * HANGAR_MAX_CONCURRENCY, a FIFO queue of HANGAR_QUEUE_SIZE, each run's outputs in its own folder,
 * per-run cancel and events, and nothing a run left in /tmp for the next one.
 */
class WarmRuntimeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WITHIN = Duration.ofSeconds(10);

    /** Its own threads: the common pool may have a single one on a 2-core machine, and runs must overlap. */
    private static final ExecutorService CALLERS = Executors.newCachedThreadPool();

    @TempDir
    Path dir;

    private RuntimeProcess start(int maxConcurrency, int queueSize, Map<String, String> env) throws IOException {
        var all = new java.util.HashMap<>(env);
        all.put("HANGAR_MAX_CONCURRENCY", Integer.toString(maxConcurrency));
        all.put("HANGAR_QUEUE_SIZE", Integer.toString(queueSize));
        all.put("HANGAR_CANCEL_GRACE_SECONDS", "0.2");
        return RuntimeProcess.start(dir, "warm", all).awaitReady();
    }

    private static JsonNode input(String name, double seconds) {
        return JSON.createObjectNode().put("name", name).put("seconds", seconds);
    }

    private static CompletableFuture<Prediction> runAsync(RuntimeProcess runtime, String id, JsonNode input, RunContext run,
            List<StreamEvent> events) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return runtime.client.predict(id, input, run, events::add);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, CALLERS);
    }

    private static RunContext run(RuntimeProcess runtime, String name) throws IOException {
        return new RunContext(runtime.newRunFolder(name).toString(), "exec-" + name);
    }

    private static Health.Concurrency concurrency(RuntimeProcess runtime) throws IOException {
        return runtime.client.health().concurrency().orElseThrow();
    }

    private static Set<String> filesIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static RuntimeClient.RawResponse post(RuntimeProcess runtime, String body) throws IOException {
        return runtime.client.send("POST", "/predictions", Map.of(), body.getBytes(StandardCharsets.UTF_8));
    }

    private static int status(RuntimeProcess runtime, String id) throws IOException {
        return runtime.client.send("GET", "/predictions/" + id, Map.of(), null).status();
    }

    @Test
    void twoSlowRunsOverlapEachInItsOwnFolderWithItsOwnEvents() throws Exception {
        try (var runtime = start(2, 0, Map.of())) {
            assertEquals(new Health.Concurrency(2, 0, 0), concurrency(runtime));
            RunContext a = run(runtime, "aaaaaaaaaaaaaaaa");
            RunContext b = run(runtime, "bbbbbbbbbbbbbbbb");
            List<StreamEvent> eventsA = new CopyOnWriteArrayList<>();
            List<StreamEvent> eventsB = new CopyOnWriteArrayList<>();
            long started = System.nanoTime();

            var first = runAsync(runtime, "a", input("a", 2), a, eventsA);
            await().atMost(WITHIN).until(() -> concurrency(runtime).running() == 1);
            assertTrue(runtime.client.health().ready(), "one of two slots taken: still READY");
            var second = runAsync(runtime, "b", input("b", 2), b, eventsB);
            await().atMost(WITHIN).until(() -> concurrency(runtime).running() == 2);

            Health full = runtime.client.health();
            assertEquals("BUSY", full.status());
            assertEquals(new Health.Concurrency(2, 2, 0), full.concurrency().orElseThrow());
            var third = assertThrows(RuntimeResponseException.class, () -> runtime.client.predict("c", input("c", 0), e -> { }));
            assertEquals(409, third.status());
            assertTrue(third.getMessage().contains("Already running a prediction"), third.getMessage());
            assertEquals(404, status(runtime, "c"), "a refused run is never created");

            Prediction pa = first.get(20, TimeUnit.SECONDS);
            Prediction pb = second.get(20, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - started) / 1e9;
            assertTrue(pa.succeeded() && pb.succeeded(), pa.raw() + "\n" + pb.raw());
            assertTrue(seconds < 3.5, "two 2 s runs with 2 slots took " + seconds + " s: they did not overlap");
            assertTrue(runtime.client.health().ready());

            for (var p : List.of(Map.entry(pa, a), Map.entry(pb, b))) {
                Prediction prediction = p.getKey();
                String name = prediction.id();
                Path folder = Path.of(p.getValue().outputDir());
                assertEquals(p.getValue().outputDir(), prediction.output().path("output_dir").asText());
                assertEquals("exec-" + name.repeat(16), prediction.output().path("execution_id").asText());
                assertEquals(Set.of(name + ".txt", "output.json"), filesIn(folder));
                assertEquals(JSON.valueToTree(List.of(name + ".txt", "output.json")), prediction.raw().path("output_files"));
                assertEquals(name + " started\n", prediction.logs(), "only its own lines");
            }
            assertEquals(List.of("a started"), lines(eventsA));
            assertEquals(List.of("b started"), lines(eventsB));
            assertFalse(Files.exists(runtime.outputs.resolve("a.txt")), "nothing in the default folder");
        }
    }

    private static List<String> lines(List<StreamEvent> events) {
        return events.stream().filter(e -> e.type().equals("log")).map(e -> e.data().path("line").asText()).toList();
    }

    @Test
    void withAQueueOfOneAThirdRunWaitsItsTurnAndAFourthIsRefused() throws Exception {
        try (var runtime = start(2, 1, Map.of())) {
            var first = runAsync(runtime, "a", input("a", 1.5), run(runtime, "aaaaaaaaaaaaaaaa"), new CopyOnWriteArrayList<>());
            var second = runAsync(runtime, "b", input("b", 1.5), run(runtime, "bbbbbbbbbbbbbbbb"), new CopyOnWriteArrayList<>());
            await().atMost(WITHIN).until(() -> concurrency(runtime).running() == 2);

            var queued = runtime.client.send("POST", "/predictions", Map.of("Prefer", "respond-async"),
                    ("{\"id\":\"c\",\"input\":{\"name\":\"c\"},\"output_dir\":\"" + runtime.newRunFolder("cccccccccccccccc")
                            + "\"}").getBytes(StandardCharsets.UTF_8));
            assertEquals(202, queued.status(), queued.body());
            assertEquals("starting", JSON.readTree(queued.body()).path("status").asText(), "accepted, not running");
            assertEquals(new Health.Concurrency(2, 2, 1), concurrency(runtime));
            var fourth = assertThrows(RuntimeResponseException.class, () -> runtime.client.predict("d", input("d", 0), e -> { }));
            assertEquals(409, fourth.status(), "the queue is full");
            assertEquals(404, status(runtime, "d"));

            Prediction pa = first.get(20, TimeUnit.SECONDS);
            Prediction pb = second.get(20, TimeUnit.SECONDS);
            JsonNode pc = await().atMost(WITHIN).pollInterval(Duration.ofMillis(20)).until(
                    () -> JSON.readTree(runtime.client.send("GET", "/predictions/c", Map.of(), null).body()),
                    p -> p.path("status").asText().equals("succeeded"));
            Instant firstDone = Stream.of(pa, pb).map(p -> Instant.parse(p.raw().path("completed_at").asText()))
                    .min(Instant::compareTo).orElseThrow();
            assertFalse(Instant.parse(pc.path("started_at").asText()).isBefore(firstDone),
                    "the queued run started only when a slot was free");
            assertTrue(Files.exists(runtime.runs.resolve("cccccccccccccccc/outputs/c.txt")));
        }
    }

    @Test
    void anOutputDirThatIsNotAnExistingFolderUnderTheRunsDirIs422AndNoRunIsCreated() throws Exception {
        try (var runtime = start(1, 0, Map.of())) {
            Path good = runtime.newRunFolder("0123456789abcdef");
            Path outside = Files.createDirectories(dir.resolve("elsewhere"));
            Path link = runtime.runs.resolve("link");
            Files.createSymbolicLink(link, outside);
            Map<String, String> bad = new java.util.LinkedHashMap<>();
            bad.put("outside", "\"" + outside + "\"");
            bad.put("dotdot", "\"" + good.resolve("../../../elsewhere") + "\"");
            bad.put("relative", "\"runs/0123456789abcdef/outputs\"");
            bad.put("missing", "\"" + runtime.runs.resolve("fedcba9876543210/outputs") + "\"");
            bad.put("runs-itself", "\"" + runtime.runs + "\"");
            bad.put("prefix-sibling", "\"" + runtime.runs + "-other\"");
            bad.put("symlink-out", "\"" + link + "\"");
            bad.put("not-a-string", "42");
            for (var entry : bad.entrySet()) {
                var answer = post(runtime, "{\"id\":\"" + entry.getKey() + "\",\"input\":{},\"output_dir\":" + entry.getValue() + "}");
                assertEquals(422, answer.status(), entry.getKey() + ": " + answer.body());
                JsonNode detail = JSON.readTree(answer.body()).path("detail").path(0);
                assertEquals(JSON.readTree("[\"body\",\"output_dir\"]"), detail.path("loc"), answer.body());
                assertTrue(detail.path("msg").asText().contains("output_dir"), answer.body());
                assertEquals(404, status(runtime, entry.getKey()), entry.getKey() + " must not be created");
            }
            var badContext = post(runtime, "{\"id\":\"ctx\",\"input\":{},\"context\":{\"execution_id\":7}}");
            assertEquals(422, badContext.status(), badContext.body());
            assertEquals(404, status(runtime, "ctx"));
            assertTrue(filesIn(outside).isEmpty(), "nothing written outside the runs folder");

            // The same request with a good folder runs; without one it uses the default folder and env id.
            Prediction ok = runtime.client.predict("ok", input("ok", 0), new RunContext(good.toString(), null), e -> { });
            assertTrue(ok.succeeded(), ok.raw().toString());
            assertTrue(ok.output().path("execution_id").isNull());
            Prediction plain = runtime.client.predict("plain", input("plain", 0), e -> { });
            assertEquals(runtime.outputs.toString(), plain.output().path("output_dir").asText());
            assertTrue(Files.exists(runtime.outputs.resolve("plain.txt")));
        }
    }

    @Test
    void whatARunLeavesInTmpIsGoneForTheNextRunButSetupsAndTheRuntimesOwnStay() throws Exception {
        // The default output folder inside the scrubbed /tmp: the runtime's own, never scrubbed.
        Path tmp = dir.resolve("tmp");
        try (var runtime = start(1, 0, Map.of("HANGAR_OUTPUT_DIR", tmp.resolve("outputs").toString()))) {
            ObjectNode leaves = JSON.createObjectNode().put("name", "first").put("scratch", "x").put("helper", true);
            Prediction first = runtime.client.predict("first", leaves, e -> { });
            assertTrue(first.succeeded(), first.raw().toString());
            assertEquals("first started\nfirst helper\n", first.logs(), "the only job running owns its processor's threads' lines");
            assertEquals(Set.of("setup-cache", "outputs"), filesIn(tmp), "scrubbed when the run ended, before done");
            assertTrue(Files.exists(tmp.resolve("outputs/first.txt")));

            ObjectNode peeks = JSON.createObjectNode().put("name", "second").put("peek", "x");
            Prediction second = runtime.client.predict("second", peeks, run(runtime, "5555555555555555"), e -> { });
            assertTrue(second.succeeded(), second.raw().toString());
            assertNull(second.output().path("found").textValue(), "the previous run's /tmp/x");
            assertEquals(JSON.valueToTree(List.of("outputs", "setup-cache")), second.output().path("tmp"));
            assertEquals("from setup\n", Files.readString(tmp.resolve("setup-cache")));
        }
    }

    @Test
    void cancelingOneOfTwoConcurrentRunsCancelsOnlyThatOne() throws Exception {
        try (var runtime = start(2, 0, Map.of())) {
            // Neither looks at the flag: only the exception injected into the right thread stops one.
            ObjectNode stubborn = JSON.createObjectNode().put("name", "a").put("seconds", 3).put("check_flag", false);
            List<StreamEvent> eventsA = new CopyOnWriteArrayList<>();
            var first = runAsync(runtime, "a", stubborn, run(runtime, "aaaaaaaaaaaaaaaa"), eventsA);
            var second = runAsync(runtime, "b", stubborn.deepCopy().put("name", "b"), run(runtime, "bbbbbbbbbbbbbbbb"), new CopyOnWriteArrayList<>());
            await().atMost(WITHIN).until(() -> concurrency(runtime).running() == 2 && !eventsA.isEmpty());

            runtime.client.cancel("a");

            Prediction pa = first.get(20, TimeUnit.SECONDS);
            assertEquals("canceled", pa.status(), pa.raw().toString());
            assertTrue(runtime.client.health().ready(), "a's slot is free while b still runs");
            Prediction pb = second.get(20, TimeUnit.SECONDS);
            assertEquals("succeeded", pb.status(), pb.raw().toString());
            assertEquals("b", pb.output().path("name").asText());
        }
    }

    @Test
    void aQueuedRunThatIsCanceledEndsAtOnceWithoutRunning() throws Exception {
        try (var runtime = start(1, 1, Map.of())) {
            var first = runAsync(runtime, "a", input("a", 1.5), run(runtime, "aaaaaaaaaaaaaaaa"), new CopyOnWriteArrayList<>());
            await().atMost(WITHIN).until(() -> concurrency(runtime).running() == 1);
            var queued = runtime.client.send("POST", "/predictions", Map.of("Prefer", "respond-async"),
                    "{\"id\":\"b\",\"input\":{\"name\":\"b\"}}".getBytes(StandardCharsets.UTF_8));
            assertEquals(202, queued.status(), queued.body());
            assertEquals(new Health.Concurrency(1, 1, 1), concurrency(runtime));

            runtime.client.cancel("b");

            JsonNode b = JSON.readTree(runtime.client.send("GET", "/predictions/b", Map.of(), null).body());
            assertEquals("canceled", b.path("status").asText(), b.toString());
            assertTrue(b.path("started_at").isNull(), "it never started");
            assertEquals(new Health.Concurrency(1, 1, 0), concurrency(runtime));
            assertTrue(first.get(20, TimeUnit.SECONDS).succeeded());
            assertFalse(Files.exists(runtime.outputs.resolve("b.txt")));
        }
    }

    @Test
    void aTrainingAndAPredictionRunTogetherEachInItsOwnFolder() throws Exception {
        try (var runtime = start(2, 0, Map.of())) {
            Path trainFolder = runtime.newRunFolder("tttttttttttttttt");
            var prediction = runAsync(runtime, "p", input("p", 1), run(runtime, "pppppppppppppppp"), new CopyOnWriteArrayList<>());
            await().atMost(WITHIN).until(() -> concurrency(runtime).running() == 1);
            var training = runtime.client.send("PUT", "/trainings/t", Map.of(), ("{\"input\":{\"name\":\"t\",\"seconds\":0.5},"
                    + "\"output_dir\":\"" + trainFolder + "\",\"context\":{\"execution_id\":\"exec-t\"}}").getBytes(StandardCharsets.UTF_8));

            assertEquals(200, training.status(), training.body());
            JsonNode t = JSON.readTree(training.body());
            assertEquals("succeeded", t.path("status").asText(), t.toString());
            assertEquals("exec-t", t.path("output").path("execution_id").asText());
            assertEquals(JSON.valueToTree(List.of("output.json", "t.weights")), t.path("output_files"));
            assertEquals("t training\n", t.path("logs").asText());
            Prediction p = prediction.get(20, TimeUnit.SECONDS);
            assertTrue(p.succeeded(), p.raw().toString());
            assertEquals(JSON.valueToTree(List.of("output.json", "p.txt")), p.raw().path("output_files"));
            assertEquals(Set.of("output.json", "t.weights"), filesIn(trainFolder));
        }
    }

    @Test
    void aRetriedPutOfARunningRunAttachesToItAndRunsItOnce() throws Exception {
        try (var runtime = start(2, 0, Map.of())) {
            RunContext p = run(runtime, "pppppppppppppppp");
            var first = CompletableFuture.supplyAsync(() -> {
                try {
                    return runtime.client.put("p", input("p", 1), p);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, CALLERS);
            await().atMost(WITHIN).until(() -> status(runtime, "p") == 200);
            Prediction again = runtime.client.put("p", input("p", 1), p);
            assertTrue(again.succeeded(), again.raw().toString());
            assertEquals(again.raw(), first.get(20, TimeUnit.SECONDS).raw());
            assertEquals("p started\n", again.logs(), "ran once");
            assertEquals(new Health.Concurrency(2, 0, 0), concurrency(runtime));
        }
    }
}
