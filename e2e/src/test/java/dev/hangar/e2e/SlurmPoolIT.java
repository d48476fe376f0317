package dev.hangar.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.ArtifactPath;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Topics;
import dev.hangar.kit.testing.StackCredentials;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code --adapter remote} through the whole platform onto Slurm (docs/slurm.md): a gateway of
 * this tree (database hangar_gateway_slurmpool, its own events and control topics) routes remote
 * runs of pool {@code slurm-<tag>} to the pool's topic; a pool executor of this tree with
 * {@code hangar.executor.backend=slurm} turns each into a job of the local Slurm cluster
 * ({@code deploy/local/slurm.sh start}, on loopback; the node across a network namespace is
 * SlurmNetworkNodeIT's). Then: a run becomes job {@code hangar-<execution_id>}, streams and succeeds
 * with its output in S3; a cancel reaches Slurm (the job ends CANCELLED, no container is left); the
 * CLI runs one and prints the envelope.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SlurmPoolIT {
    static final String TAG = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    static final String POOL = "slurm-" + TAG;
    /** perf mode's baseline: a pool executor of this tree with backend docker (the local engine's adapter). */
    static final String LOCAL_POOL = "slurm-local-" + TAG;
    static final String EVENTS = "hangar.slurm-pool-it.events." + TAG;
    static final String CONTROL = "hangar.slurm-pool-it.control." + TAG;
    static final String OWNER = "slurm-pool-it";
    static final String TOKEN = "slurm-pool-it-token-" + UUID.randomUUID();
    static final String NAMESPACE = "slurm-pool-it";
    static final String IMAGE = "127.0.0.1:5000/slurm-pool-it/slow";
    static final Path SLURM_SH = Stack.ROOT.resolve("deploy/local/slurm.sh");
    /** slurmrestd 22.05 cannot answer an HTTP/2 upgrade request: plain HTTP/1.1, as the adapter's client. */
    static final HttpClient SLURM_HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final Map<String, String> slurm = new HashMap<>();
    private Path tokenFile;
    private ServiceProcess gateway;
    private ServiceProcess executor;
    private ServiceProcess localExecutor;
    private PoolRig.EventTap events;
    private String ref;

    @BeforeAll
    void start() throws Exception {
        var status = sh(SLURM_SH.toString(), "status");
        assertEquals(0, status.exit(), "the local Slurm cluster runs (deploy/local/slurm.sh start):\n" + status.out());
        for (String line : sh(SLURM_SH.toString(), "env").out().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                slurm.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        tokenFile = Files.createTempFile("slurm-pool-it", ".jwt", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tokenFile, sh(SLURM_SH.toString(), "token", "3600").out().strip());

        Stack.createTopicsOn("127.0.0.1:9092", EVENTS, CONTROL, Topics.runsRequested(POOL), Topics.runsRequested(LOCAL_POOL));
        ref = PoolRig.registerSlow(IMAGE, TAG, NAMESPACE, "slow-" + TAG, OWNER);
        internal = ServiceProcess.freePort();
        gateway = PoolRig.gateway("slurm-pool-it-" + TAG, System.getProperty("hangar.it.slurmpool.db", "hangar_gateway_slurmpool"), internal, OWNER, TOKEN, POOL + "," + LOCAL_POOL,
                EVENTS, CONTROL, "hangar.slurm-pool-it.submit." + TAG);
        events = new PoolRig.EventTap(EVENTS);

        startExecutor();
    }

    private int internal;

    /** The pool's executor, with the Slurm backend (again, after a test stopped it). */
    private void startExecutor() throws Exception {
        var env = new HashMap<>(Map.of(
                "HANGAR_EXECUTOR_POOL", POOL,
                "HANGAR_EXECUTOR_BACKEND", "slurm",
                "HANGAR_EXECUTOR_ID", POOL + "-e1",
                "HANGAR_EXECUTOR_WORK_DIR", Files.createTempDirectory("hangar-slurm-pool-it").toString(),
                "HANGAR_INTERNAL_TOKEN", StackCredentials.internalToken(),
                "HANGAR_GATEWAY_INTERNAL_URL", "http://127.0.0.1:" + internal));
        env.putAll(Map.of(
                "HANGAR_EXECUTOR_SLURM_REST_URL", slurm.get("HANGAR_SLURM_REST_URL"),
                "HANGAR_EXECUTOR_SLURM_USER", slurm.get("HANGAR_SLURM_USER"),
                "HANGAR_EXECUTOR_SLURM_TOKEN_FILE", tokenFile.toString(),
                "HANGAR_EXECUTOR_SLURM_SHARED_DIR", slurm.get("HANGAR_SLURM_SHARED_DIR"),
                "HANGAR_EXECUTOR_SLURM_POLL_INTERVAL", "100ms",
                "HANGAR_EXECUTOR_SLURM_HEARTBEAT_TIMEOUT", HEARTBEAT.toSeconds() + "s",
                "HANGAR_EXECUTOR_SLURM_DOCKER_GPUS", "false"));
        executor = ServiceProcess.start("executor-service", "slurm-pool-it-executor-" + TAG + "-" + (++started), env,
                Map.of("mp.messaging.outgoing.run-events.topic", EVENTS,
                        "mp.messaging.incoming.run-control.topic", CONTROL));
        var process = executor;
        await().atMost(Duration.ofSeconds(60)).until(() -> process.logText().contains(Topics.runsRequested(POOL)));
    }

    private int started;
    /** The executor's heartbeat timeout (hangar.executor.slurm.heartbeat-timeout): how long a job outlives a killed executor. */
    static final Duration HEARTBEAT = Duration.ofSeconds(5);

    @AfterAll
    void stop() throws Exception {
        if (events != null) {
            events.close();
        }
        if (executor != null) {
            executor.close();
        }
        if (localExecutor != null) {
            localExecutor.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (tokenFile != null) {
            Files.deleteIfExists(tokenFile);
        }
    }

    @Test
    @Order(1)
    void aRemoteRunBecomesASlurmJobStreamsAndSucceedsWithItsOutputInS3() throws Exception {
        String id = submit("{\"seconds\":2}");
        JsonNode run = awaitEnd(id);

        assertEquals("success", run.path("status").asText(), run.toString());
        JsonNode job = slurmJob(id).orElseThrow(() -> new AssertionError("no Slurm job hangar-" + id));
        assertEquals("COMPLETED", job.path("job_state").asText(), job.toString());

        var types = events.of(id).stream().map(PoolRig::type).toList();
        assertTrue(types.indexOf("started") >= 0 && types.indexOf("started") < types.indexOf("log"), "started, then logs: " + types);
        assertEquals("completed", types.getLast(), "completed last: " + types);
        var started = events.of(id).get(types.indexOf("started"));
        assertEquals(POOL + "-e1", started.path("event").path("executor").asText(), "the pool's executor ran it");
        assertEquals("remote", started.path("event").path("adapter").asText());
        var logs = events.of(id).stream().filter(e -> PoolRig.type(e).equals("log")).map(e -> e.path("event").path("line").asText()).toList();
        assertTrue(logs.containsAll(List.of("working 1 of 2", "working 2 of 2")), "it streamed its logs from the job: " + logs);

        JsonNode output = java.util.stream.StreamSupport.stream(run.path("outputs").spliterator(), false)
                .filter(o -> o.path("path").asText().endsWith("/" + id + "/result.txt")).findFirst()
                .orElseThrow(() -> new AssertionError("no result.txt among the outputs: " + run));
        try (var s3 = Stack.s3()) {
            byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(Stack.BUCKET).key(ArtifactPath.toKey(output.path("path").asText()))).asByteArray();
            assertEquals("slept 2 s\n", new String(bytes, StandardCharsets.UTF_8));
        }
        assertEquals(List.of(), containers(id), "the job's container is gone");
    }

    @Test
    @Order(2)
    void aCancelReachesSlurmTheJobEndsCanceledAndNoContainerIsLeft() throws Exception {
        String id = submit("{\"seconds\":60}");
        await().atMost(Duration.ofSeconds(60)).until(() -> events.of(id).stream().anyMatch(e -> PoolRig.type(e).equals("log")));
        assertEquals("RUNNING", slurmJob(id).orElseThrow().path("job_state").asText());

        var cancel = Stack.HTTP.send(api("/v1/runs/" + id + "/cancel").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, cancel.statusCode(), cancel.body());

        JsonNode run = awaitEnd(id);
        assertEquals("ERR_CANCELED", run.path("error").path("code").asText(), run.toString());
        await().atMost(Duration.ofSeconds(20)).until(() -> slurmJob(id).orElseThrow().path("job_state").asText().equals("CANCELLED"));
        await().atMost(Duration.ofSeconds(20)).until(() -> containers(id).isEmpty());
    }

    @Test
    @Order(3)
    void theCliRunsOneOnThePoolAndPrintsTheEnvelope() throws Exception {
        var r = Stack.hangar("--base-url", gateway.url(), "--api-key", TOKEN, "run", "--ref", ref, "--adapter", "remote",
                "--adapter-opts-json", "{\"pool\":\"" + POOL + "\"}", "--inputs-json", "{\"seconds\":1}", "--json");
        assertEquals(0, r.exit(), r.out() + r.err());
        JsonNode envelope = r.json();
        assertEquals("success", envelope.path("status").asText(), r.out());
        String id = envelope.path("execution_id").asText();
        assertEquals("COMPLETED", slurmJob(id).orElseThrow().path("job_state").asText());
    }

    @Test
    @Order(4)
    void aStoppedExecutorCancelsItsJobAndEndsTheRunWithAClearCode() throws Exception {
        String id = submit("{\"seconds\":60}");
        await().atMost(Duration.ofSeconds(60)).until(() -> events.of(id).stream().anyMatch(e -> PoolRig.type(e).equals("log")));
        assertEquals("RUNNING", slurmJob(id).orElseThrow().path("job_state").asText());

        long stop = System.nanoTime();
        boolean exited = executor.terminate(Duration.ofSeconds(60)); // SIGTERM
        long tookMs = (System.nanoTime() - stop) / 1_000_000;

        assertTrue(exited, "the executor did not exit within 60 s of SIGTERM");
        JsonNode run = awaitEnd(id);
        assertEquals("ERR_ADAPTER_INVOCATION", run.path("error").path("code").asText(), run.toString());
        assertTrue(run.path("error").path("message").asText().contains("was stopped while the run's Slurm job"), run.toString());
        assertTrue(events.of(id).stream().filter(PoolRig::terminal).count() == 1, "one terminal event: " + events.of(id));
        String state = slurmJob(id).orElseThrow().path("job_state").asText();
        assertEquals("CANCELLED", state, "the job was canceled before the executor exited, not left to run");
        assertEquals(List.of(), containers(id), "no container left on the node");
        System.out.println("SIGTERM -> executor exited in " + tookMs + " ms");
        startExecutor();
    }

    @Test
    @Order(5)
    void aKilledExecutorsJobEndsWithinTheHeartbeatTimeoutAndTheRunIsRetried() throws Exception {
        String id = submit("{\"seconds\":30}");
        await().atMost(Duration.ofSeconds(60)).until(() -> events.of(id).stream().anyMatch(e -> PoolRig.type(e).equals("log")));
        assertEquals("RUNNING", slurmJob(id).orElseThrow().path("job_state").asText());
        long jobId = slurmJob(id).orElseThrow().path("job_id").asLong();

        executor.kill(); // SIGKILL: no shutdown, no cancel
        long killed = System.nanoTime();

        // nothing cancels the job now: its script sees the heartbeat go stale and ends it (its time limit is 3 min)
        await().atMost(HEARTBEAT.plusSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> !List.of("RUNNING", "PENDING", "COMPLETING").contains(jobState(jobId)));
        long endedMs = (System.nanoTime() - killed) / 1_000_000;
        await().atMost(Duration.ofSeconds(20)).until(() -> containers(id).isEmpty());
        assertTrue(endedMs >= HEARTBEAT.toMillis() - 1000, "ended by the watchdog, not by something else: " + endedMs + " ms");
        System.out.println("SIGKILL -> Slurm job ended in " + endedMs + " ms (heartbeat timeout " + HEARTBEAT.toSeconds() + " s)");

        // an executor of the pool (here the same one, back) takes the run again: attempt 2 per the spec's policy
        startExecutor();
        JsonNode run = await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                .until(() -> Json.MAPPER.readTree(Stack.HTTP.send(api("/v1/runs/" + id).GET().build(),
                        HttpResponse.BodyHandlers.ofString()).body()),
                        r -> List.of("success", "error", "canceled").contains(r.path("status").asText()));
        assertEquals("success", run.path("status").asText(), run.toString());
        assertEquals(2, run.path("meta").path("attempt").asInt(), run.toString());
        assertTrue(slurmJobs(id).size() == 2, "a second job ran attempt 2: " + slurmJobs(id));
    }

    @Test
    @Order(6)
    @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "hangar.perf.slurm.runs", matches = "\\d+")
    void perfSlurmBackendAgainstTheLocalEngine() throws Exception {
        int runs = Integer.getInteger("hangar.perf.slurm.runs");
        localExecutor = ServiceProcess.start("executor-service", "slurm-pool-it-local-" + TAG, Map.of(
                "HANGAR_EXECUTOR_POOL", LOCAL_POOL,
                "HANGAR_EXECUTOR_ID", LOCAL_POOL + "-e1",
                "HANGAR_EXECUTOR_WORK_DIR", Files.createTempDirectory("hangar-slurm-pool-it-local").toString(),
                "HANGAR_INTERNAL_TOKEN", StackCredentials.internalToken(),
                "HANGAR_GATEWAY_INTERNAL_URL", "http://127.0.0.1:" + internal),
                Map.of("mp.messaging.outgoing.run-events.topic", EVENTS, "mp.messaging.incoming.run-control.topic", CONTROL));
        var local = localExecutor;
        await().atMost(Duration.ofSeconds(60)).until(() -> local.logText().contains(Topics.runsRequested(LOCAL_POOL)));
        String row = PoolRig.alternately(runs, this::timed, POOL, LOCAL_POOL);
        Files.writeString(Stack.ROOT.resolve("e2e/target/perf-slurm.tsv"), row + "\n");
        System.out.println("perf-slurm\t" + row);
    }

    /** Submit → terminal event (as the test's consumer sees it), ms, for one mock run of no work on {@code pool}. */
    private double timed(String pool) throws Exception {
        long start = System.nanoTime();
        String id = submit("{\"seconds\":0}", pool);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(5)).until(() -> events.of(id).stream().anyMatch(PoolRig::terminal));
        double ms = (System.nanoTime() - start) / 1e6;
        JsonNode terminal = events.of(id).stream().filter(PoolRig::terminal).findFirst().orElseThrow();
        assertEquals("completed", PoolRig.type(terminal), "a perf run failed: " + terminal);
        return ms;
    }

    // ---- the gateway's REST API

    private HttpRequest.Builder api(String path) {
        return HttpRequest.newBuilder(URI.create(gateway.url() + path)).header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(20));
    }

    private String submit(String inputs) throws Exception {
        return submit(inputs, POOL);
    }

    private String submit(String inputs, String pool) throws Exception {
        String body = "{\"ref\":\"" + ref + "\",\"adapter\":\"remote\",\"mode\":\"mock\",\"inputs\":" + inputs
                + ",\"adapter_opts\":{\"pool\":\"" + pool + "\"}}";
        var answer = Stack.HTTP.send(api("/v1/runs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, answer.statusCode(), answer.body());
        return Json.MAPPER.readTree(answer.body()).path("execution_id").asText();
    }

    private JsonNode awaitEnd(String id) {
        return await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                .until(() -> Json.MAPPER.readTree(Stack.HTTP.send(api("/v1/runs/" + id).GET().build(),
                        HttpResponse.BodyHandlers.ofString()).body()),
                        r -> List.of("success", "error", "canceled").contains(r.path("status").asText()));
    }

    // ---- what Slurm and the engine saw

    /** The run's job as slurmrestd reports it (the adapter names it hangar-<execution_id>); the latest, if several. */
    private Optional<JsonNode> slurmJob(String id) throws Exception {
        var jobs = slurmJobs(id);
        return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.getLast());
    }

    /** The state of one job, by id. */
    private String jobState(long jobId) throws Exception {
        var answer = SLURM_HTTP.send(HttpRequest.newBuilder(URI.create(slurm.get("HANGAR_SLURM_REST_URL") + "/slurm/v0.0.38/job/" + jobId))
                .header("X-SLURM-USER-NAME", slurm.get("HANGAR_SLURM_USER"))
                .header("X-SLURM-USER-TOKEN", Files.readString(tokenFile).strip())
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return Json.MAPPER.readTree(answer.body()).path("jobs").path(0).path("job_state").asText("UNKNOWN");
    }

    /** Every job of the run, oldest first. */
    private List<JsonNode> slurmJobs(String id) throws Exception {
        var answer = SLURM_HTTP.send(HttpRequest.newBuilder(URI.create(slurm.get("HANGAR_SLURM_REST_URL") + "/slurm/v0.0.38/jobs"))
                .header("X-SLURM-USER-NAME", slurm.get("HANGAR_SLURM_USER"))
                .header("X-SLURM-USER-TOKEN", Files.readString(tokenFile).strip())
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        var jobs = new ArrayList<JsonNode>();
        for (JsonNode job : Json.MAPPER.readTree(answer.body()).path("jobs")) {
            if (job.path("name").asText().equals("hangar-" + id)) {
                jobs.add(job);
            }
        }
        jobs.sort(java.util.Comparator.comparingLong(j -> j.path("job_id").asLong()));
        return jobs;
    }

    private static List<String> containers(String id) throws Exception {
        return Stack.docker("ps", "-aq", "--no-trunc", "--filter", "label=dev.hangar.execution_id=" + id).lines()
                .filter(l -> !l.isBlank()).toList();
    }

    private static Stack.Result sh(String... command) throws Exception {
        var process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command));
        return new Stack.Result(process.exitValue(), out, "");
    }
}
