package dev.hangar.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Json;
import dev.hangar.kit.testing.StackCredentials;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code --adapter remote} across a real network (docs/remote.md): pool executors of this tree run
 * in a network namespace this test creates, joined to the host by a veth pair with link-local
 * addresses; everything they use (Kafka, the registry, S3, the gateway's internal port, the OCI
 * registry) is reached through forwarders on the veth's host address only. A gateway of this tree
 * (database hangar_gateway_test_pool, this test's events and control topics) routes remote runs to
 * the pool's topic. Then: a run crosses the veth, streams its logs and succeeds; a cancel reaches
 * it; an executor SIGKILLed mid-run hands the run to the pool's other executor (attempt 2); a GPU
 * run is refused by the GPU-less pool with ERR_NO_CAPACITY; a pool with no executor fails the run
 * with ERR_NO_CAPACITY after its short deadline.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RemotePoolIT {
    static final String TAG = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    static final String POOL = "pit-" + TAG;
    static final String EMPTY_POOL = "pit-empty-" + TAG;
    /** perf/remote.sh's baseline: a pool executor on the gateway's own host, no network between them. */
    static final String HOST_POOL = "pit-host-" + TAG;
    static final String EVENTS = "hangar.pool-it.events." + TAG;
    static final String CONTROL = "hangar.pool-it.control." + TAG;
    static final String OWNER = "pool-it";
    static final String TOKEN = "pool-it-token-" + UUID.randomUUID();
    static final String NAMESPACE = "pool-it";
    static final String IMAGE = "127.0.0.1:5000/pool-it/slow";

    private NetNs ns;
    private List<String> forwarded;
    private ServiceProcess gateway;
    private final Map<String, ServiceProcess> executors = new HashMap<>();
    private PoolRig.EventTap events;
    private Path work;
    private String ref;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("hangar-pool-it");
        Stack.createTopicsOn("127.0.0.1:9092", EVENTS, CONTROL, dev.hangar.contracts.Topics.runsRequested(POOL),
                dev.hangar.contracts.Topics.runsRequested(HOST_POOL));
        ref = PoolRig.registerSlow(IMAGE, TAG, NAMESPACE, "slow-" + TAG, OWNER);
        int internal = ServiceProcess.freePort();
        gateway = PoolRig.gateway("pool-it-" + TAG, "hangar_gateway_test_pool", internal, OWNER, TOKEN,
                POOL + "," + EMPTY_POOL + "," + HOST_POOL, EVENTS, CONTROL, "hangar.pool-it.submit." + TAG);
        events = new PoolRig.EventTap(EVENTS);

        ns = NetNs.create();
        forwarded = ns.forward(9092, 8081, 9000, 5000, internal);
        executor("a1", internal);
    }

    @AfterAll
    void stop() throws Exception {
        if (events != null) {
            events.close();
        }
        for (var e : executors.values()) {
            e.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (ns != null) {
            ns.close();
            assertFalse(ns.hostVethExists(), "the namespace's veth pair went with it");
        }
        for (String c : Stack.docker("ps", "-aq", "--filter", "label=dev.hangar.executor").lines().filter(l -> !l.isBlank()).toList()) {
            if (Stack.docker("inspect", "--format", "{{index .Config.Labels \"dev.hangar.executor\"}}", c).strip().startsWith(POOL)) {
                Stack.docker("rm", "-f", c);
            }
        }
    }

    @Test
    @Order(1)
    void aRemoteRunCrossesTheVethToThePoolExecutorStreamsAndSucceeds() throws Exception {
        String addresses = ns.addresses();
        assertTrue(addresses.contains(ns.nsAddress + "/30") && addresses.lines().count() == 2,
                "the namespace has only lo and its veth: " + addresses);

        String id = submit(POOL, "{\"seconds\":3}", "{\"pool\":\"" + POOL + "\"}");
        JsonNode run = awaitEnd(id);

        assertEquals("success", run.path("status").asText(), run.toString());
        var started = of(id).stream().filter(e -> type(e).equals("started")).findFirst().orElseThrow();
        assertEquals(POOL + "-a1", started.path("event").path("executor").asText(), "the pool's executor ran it");
        assertTrue(executors.get("a1").logText().contains(dev.hangar.contracts.Topics.poolGroup(POOL)), "in the pool's group");
        assertEquals("remote", started.path("event").path("adapter").asText());
        var logs = of(id).stream().filter(e -> type(e).equals("log")).map(e -> e.path("event").path("line").asText()).toList();
        assertTrue(logs.containsAll(List.of("working 1 of 3", "working 2 of 3", "working 3 of 3")), "it streamed its logs: " + logs);
        assertTrue(forwarded.contains("conn 9092") && forwarded.contains("conn 8081") && forwarded.contains("conn 9000"),
                "Kafka, the registry and S3 were reached across the veth: " + forwarded);
    }

    @Test
    @Order(2)
    void aCancelReachesTheRemoteContainer() throws Exception {
        String id = submit(POOL, "{\"seconds\":60}", "{\"pool\":\"" + POOL + "\"}");
        await().atMost(Duration.ofSeconds(90)).until(() -> of(id).stream().anyMatch(e -> type(e).equals("log")));

        var cancel = Stack.HTTP.send(api("/v1/runs/" + id + "/cancel").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, cancel.statusCode(), cancel.body());

        JsonNode run = awaitEnd(id);
        assertEquals("ERR_CANCELED", run.path("error").path("code").asText(), run.toString());
        await().atMost(Duration.ofSeconds(20)).until(() -> containers(id).isEmpty());
    }

    @Test
    @Order(3)
    void aGpuRunOnThePoolWithoutGpusIsRefusedWithNoCapacity() throws Exception {
        String id = submit(POOL, "{\"seconds\":1}", "{\"pool\":\"" + POOL + "\",\"gpus\":1}");
        JsonNode run = awaitEnd(id);
        assertEquals("ERR_NO_CAPACITY", run.path("error").path("code").asText(), run.toString());
        assertTrue(run.path("error").path("message").asText().contains("has no GPU"), run.toString());
        assertTrue(of(id).stream().noneMatch(e -> type(e).equals("started")), "no container was started");
    }

    @Test
    @Order(4)
    void aPoolWithNoExecutorFailsTheRunWithNoCapacityAfterItsDeadline() throws Exception {
        long start = System.nanoTime();
        String id = submit(EMPTY_POOL, "{\"seconds\":1}", "{\"pool\":\"" + EMPTY_POOL + "\",\"capacity_wait_seconds\":3}");
        JsonNode queued = get("/v1/runs/" + id);
        assertEquals("queued", queued.path("status").asText(), queued.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> EMPTY_POOL.equals(get("/v1/runs/" + id).path("queue").path("pool").asText()));

        JsonNode run = awaitEnd(id);
        assertEquals("ERR_NO_CAPACITY", run.path("error").path("code").asText(), run.toString());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() >= 3, "not before its deadline");
        assertTrue(run.path("error").path("message").asText().contains("pool '" + EMPTY_POOL + "'"), run.toString());
    }

    @Test
    @Order(5)
    void aPoolExecutorKilledMidRunHandsTheRunToThePoolsOtherExecutor() throws Exception {
        executor("a2", gatewayInternalPort());
        String id = submit(POOL, "{\"seconds\":8}", "{\"pool\":\"" + POOL + "\"}");
        await().atMost(Duration.ofSeconds(90)).until(() -> started(id, 1) != null);
        String first = started(id, 1);
        String name = first.substring(first.lastIndexOf('-') + 1);
        long killed = System.nanoTime();
        executors.get(name).kill();

        await().atMost(Duration.ofSeconds(120)).until(() -> started(id, 2) != null);
        deathToRetryMs = Duration.ofNanos(System.nanoTime() - killed).toMillis();
        JsonNode run = awaitEnd(id);
        long retried = Duration.ofNanos(System.nanoTime() - killed).toSeconds();
        Thread.sleep(3000); // a second terminal event, if one were coming
        var terminals = of(id).stream().filter(PoolRig::terminal).toList();
        assertEquals(1, terminals.size(), "exactly one terminal event: " + terminals);
        String second = started(id, 2);
        assertTrue(second != null && !second.equals(first), "attempt 2 ran on the other executor: " + of(id));
        assertEquals("success", run.path("status").asText(), run.toString());
        assertEquals(2, run.path("meta").path("attempt").asInt());
        assertTrue(retried < 120, "not left hanging (" + retried + " s)");
        await().atMost(Duration.ofSeconds(20)).until(() -> containers(id).isEmpty());
    }

    @Test
    @Order(6)
    @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "hangar.perf.remote.runs", matches = "\\d+")
    void perfRemoteAgainstAPoolExecutorOnTheGatewaysHost() throws Exception {
        int runs = Integer.getInteger("hangar.perf.remote.runs");
        startExecutor("h1", HOST_POOL, gatewayInternalPort(), List.of()); // on the host: 127.0.0.1 all the way
        String row = PoolRig.alternately(runs, this::timed, POOL, HOST_POOL) + "\t" + deathToRetryMs;
        Files.writeString(Stack.ROOT.resolve("e2e/target/perf-remote.tsv"), row + "\n");
        System.out.println("perf-remote\t" + row);
    }

    private long deathToRetryMs = -1;

    /** Submit → terminal event (as the test's consumer sees it), ms, for one run of no work on {@code pool}. */
    private double timed(String pool) throws Exception {
        long start = System.nanoTime();
        String id = submit(pool, "{\"seconds\":0}", "{\"pool\":\"" + pool + "\"}");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> of(id).stream().anyMatch(PoolRig::terminal));
        return Duration.ofNanos(System.nanoTime() - start).toNanos() / 1e6;
    }

    // ---- processes

    private int internalPort;

    private int gatewayInternalPort() {
        return internalPort;
    }

    private void executor(String name, int gatewayInternal) throws Exception {
        startExecutor(name, POOL, gatewayInternal, ns.enter());
    }

    /** An executor of this tree serving {@code pool}, started through {@code wrapper} (in the namespace, or not). */
    private void startExecutor(String name, String pool, int gatewayInternal, List<String> wrapper) throws Exception {
        internalPort = gatewayInternal;
        var process = ServiceProcess.start("executor-service", "pool-it-executor-" + TAG + "-" + name, ServiceProcess.freePort(),
                Map.of("HANGAR_EXECUTOR_POOL", pool,
                        "HANGAR_EXECUTOR_ID", pool + "-" + name,
                        "HANGAR_EXECUTOR_WORK_DIR", work.resolve(name).toString(),
                        "HANGAR_EXECUTOR_SESSION_TIMEOUT_MS", "6000",
                        "HANGAR_INTERNAL_TOKEN", StackCredentials.internalToken(),
                        "HANGAR_GATEWAY_INTERNAL_URL", "http://127.0.0.1:" + gatewayInternal),
                Map.of("mp.messaging.outgoing.run-events.topic", EVENTS,
                        "mp.messaging.incoming.run-control.topic", CONTROL,
                        "mp.messaging.incoming.run-requests.heartbeat.interval.ms", "1000",
                        "hangar.executor.delivery.retry-initial", "PT0.2S",
                        "hangar.executor.delivery.retry-max", "PT2S",
                        "hangar.executor.delivery.lease", "PT5S"),
                wrapper);
        executors.put(name, process);
        // HANGAR_EXECUTOR_POOL alone pointed its commands channel at the pool's topic
        await().atMost(Duration.ofSeconds(60)).until(() -> process.logText().contains(dev.hangar.contracts.Topics.runsRequested(pool)));
    }

    // ---- the gateway's REST API

    private HttpRequest.Builder api(String path) {
        return HttpRequest.newBuilder(URI.create(gateway.url() + path)).header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(20));
    }

    private String submit(String pool, String inputs, String opts) throws Exception {
        String body = "{\"ref\":\"" + ref + "\",\"adapter\":\"remote\",\"mode\":\"mock\",\"inputs\":" + inputs
                + ",\"adapter_opts\":" + opts + "}";
        var answer = Stack.HTTP.send(api("/v1/runs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, answer.statusCode(), "submitting to pool " + pool + ": " + answer.body());
        return Json.MAPPER.readTree(answer.body()).path("execution_id").asText();
    }

    private JsonNode get(String path) throws Exception {
        return Json.MAPPER.readTree(Stack.HTTP.send(api(path).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    /** The run's envelope, once the gateway has it. */
    private JsonNode awaitEnd(String id) {
        return await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500)).until(() -> get("/v1/runs/" + id),
                r -> List.of("success", "error", "canceled").contains(r.path("status").asText()));
    }

    // ---- what happened

    private List<JsonNode> of(String id) {
        return events.of(id);
    }

    /** The executor that started the attempt, or null. */
    private String started(String id, int attempt) {
        return of(id).stream().filter(e -> e.path("attempt").asInt() == attempt && type(e).equals("started"))
                .map(e -> e.path("event").path("executor").asText()).findFirst().orElse(null);
    }

    private static String type(JsonNode event) {
        return PoolRig.type(event);
    }

    private static List<String> containers(String id) throws Exception {
        return Stack.docker("ps", "-aq", "--no-trunc", "--filter", "label=dev.hangar.execution_id=" + id).lines()
                .filter(l -> !l.isBlank()).toList();
    }
}
