package dev.hangar.executor.docker;

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
/**
 * Not a test: warm vs cold run latency at the adapter (execute → envelope, outputs uploaded), for
 * the report of issue #8. Runs only with {@code -Dhangar.bench=true}; prints p50/p99.
 * Record a profile by adding {@code -Dhangar.bench.jfr=/tmp/warm.jfr} (JFR in the test JVM).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WarmBenchIT {
    static final String EXECUTOR_ID = "executor-warm-bench";
    private static final WarmConfig CONFIG = WarmConfig.DEFAULTS;

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
        assumeTrue(Boolean.getBoolean("hangar.bench"), "a benchmark: run with -Dhangar.bench=true");
        docker = TestImages.engine();
        var rig = WarmRig.open(docker, EXECUTOR_ID, CONFIG, "hangar-warm-bench");
        s3 = rig.s3();
        bucket = rig.bucket();
        image = rig.image();
        workDir = rig.workDir();
        pool = rig.pool();
        adapter = rig.adapter();
    }

    @AfterAll
    void tearDown() throws IOException {
        if (pool != null) {
            pool.close();
        }
        TestImages.cleanUp(docker, EXECUTOR_ID, workDir);
    }

    @Test
    void warmAgainstCold() throws Exception {
        int cold = Integer.getInteger("hangar.bench.cold", 15);
        int warm = Integer.getInteger("hangar.bench.warm", 200);
        var warmSpec = new ProcessorSpec.Warm(1, 1, 1, 300, "owner");
        run(warmSpec); // the warm container's start
        for (int i = 0; i < 20; i++) {
            run(warmSpec); // JIT warm-up
        }
        String jfr = System.getProperty("hangar.bench.jfr");
        jdk.jfr.Recording recording = null;
        if (jfr != null) {
            recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
            recording.start();
        }
        var warmMs = time(warm, () -> run(warmSpec));
        if (recording != null) {
            recording.stop();
            recording.dump(Path.of(jfr));
        }
        var coldMs = time(cold, () -> run(null));
        System.out.printf("BENCH warm-hit n=%d p50=%.1f ms p90=%.1f ms p99=%.1f ms%n", warm, pct(warmMs, 50), pct(warmMs, 90), pct(warmMs, 99));
        System.out.printf("BENCH cold     n=%d p50=%.1f ms p90=%.1f ms p99=%.1f ms%n", cold, pct(coldMs, 50), pct(coldMs, 90), pct(coldMs, 99));
    }

    @Test
    void warmThroughput() throws Exception {
        int n = Integer.getInteger("hangar.bench.parallel", 200);
        int clients = 8;
        var warmSpec = new ProcessorSpec.Warm(2, 2, 4, 300, "owner");
        for (int i = 0; i < 10; i++) {
            run(warmSpec);
        }
        String jfr = System.getProperty("hangar.bench.jfr.parallel");
        jdk.jfr.Recording recording = null;
        if (jfr != null) {
            recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
            recording.start();
        }
        var threads = java.util.concurrent.Executors.newFixedThreadPool(clients);
        var left = new java.util.concurrent.atomic.AtomicInteger(n);
        long t = System.nanoTime();
        var done = new ArrayList<java.util.concurrent.Future<?>>();
        for (int c = 0; c < clients; c++) {
            done.add(threads.submit(() -> {
                while (left.getAndDecrement() > 0) {
                    run(warmSpec);
                }
            }));
        }
        for (var f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - t) / 1e9;
        threads.shutdown();
        if (recording != null) {
            recording.stop();
            recording.dump(Path.of(jfr));
        }
        System.out.printf("BENCH warm-parallel n=%d clients=%d containers<=2x4 slots: %.1f runs/s%n", n, clients, n / seconds);
    }

    private List<Double> time(int n, Runnable run) {
        var ms = new ArrayList<Double>();
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            run.run();
            ms.add((System.nanoTime() - t) / 1e6);
        }
        return ms;
    }

    private static double pct(List<Double> values, int p) {
        var sorted = values.stream().sorted().toList();
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private void run(ProcessorSpec.Warm warm) {
        String id = "bench-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        var ref = ProcessorRef.parse(Fixtures.REF);
        var limits = new ProcessorSpec.Resources(0.5, 256, 0, 60);
        var spec = new ProcessorSpec(ref, "warm", null, Map.of(), limits, List.of(), Fixtures.json("{\"type\":\"object\"}"),
                List.of(), null, null, warm);
        ObjectNode inputs = Json.MAPPER.valueToTree(Map.of("action", "sleep", "seconds", 0));
        String prefix = WritePrefix.resolve(null, ref, id);
        var plan = new RunPlan(spec, image, prefix, inputs, true, limits, Map.of(), Map.of(), false);
        ActiveRun active = Fixtures.activeRun(Fixtures.command(id, n -> n.put("mode", "mock").put("owner", "bench")
                .set("inputs", inputs)), publisher, plan);
        Envelope envelope = adapter.execute(plan, active);
        if (envelope.status() != RunStatus.SUCCESS) {
            throw new AssertionError(envelope.error().toString());
        }
    }
}
