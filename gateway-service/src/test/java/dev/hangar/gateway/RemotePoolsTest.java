package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunRequested;
import dev.hangar.contracts.Topics;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code adapter: remote} against the real Kafka and PostgreSQL (docs/remote.md): a run goes to
 * its pool's topic only, says which pool it waits for, fails with ERR_NO_CAPACITY when no executor
 * of the pool starts it in time, and is not failed once one has; pools the gateway does not know
 * are refused and leave nothing behind.
 */
@QuarkusTest
@TestProfile(RemotePoolsTest.Pools.class)
class RemotePoolsTest {
    static final String REF = "gwtest/pool-" + Long.toString(System.nanoTime(), 36) + "@1";

    /** Events of this test only: a fresh gateway reading the shared events topic from its start would lag behind. */
    static final String EVENTS = "gateway-test-pool-events-" + UUID.randomUUID();

    public static class Pools implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                TestStack.commandConsumer(EVENTS, "gwtest-pool-create-" + UUID.randomUUID()).close(); // creates the topic
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            // auth as in the %test profile, said explicitly: after a profile that turned it on, later apps of the
            // suite were seen answering 401 (see the report of h/pool)
            return Map.of("hangar.gateway.auth-enabled", "false",
                    "hangar.gateway.remote.pools", "gpu-a,cpu-b",
                    "mp.messaging.incoming.run-events.topic", EVENTS,
                    "hangar.gateway.remote.capacity-wait", "30s",
                    "hangar.gateway.sweeper.interval", "300ms",
                    "hangar.gateway.sweeper.grace", "8s",
                    "hangar.gateway.outbox.interval", "300ms");
        }
    }

    @ConfigProperty(name = "mp.messaging.outgoing.run-requests.topic")
    String commands;

    @Inject
    AgroalDataSource db;

    KafkaConsumer<String, String> pool;
    KafkaConsumer<String, String> defaults;

    @BeforeAll
    static void register() throws Exception {
        TestStack.register(REF, RunResourceTest.SCHEMA);
    }

    @BeforeEach
    void connect() throws Exception {
        pool = TestStack.commandConsumer(commands + ".gpu-a", "gwtest-pool-" + UUID.randomUUID());
        defaults = TestStack.commandConsumer(commands, "gwtest-pool-defaults-" + UUID.randomUUID());
    }

    @AfterEach
    void close() {
        pool.close();
        defaults.close();
    }

    @Test
    void aRemoteRunGoesToItsPoolsTopicOnlyAndSaysWhereItWaits() throws Exception {
        String id = submit("{\"pool\":\"gpu-a\"}");
        var seen = new HashMap<String, String>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            pool.poll(Duration.ofMillis(100)).forEach(r -> seen.put(r.key(), r.value()));
            return seen.containsKey(id);
        });
        var command = Json.read(seen.get(id), RunRequested.class);
        assertEquals(Adapter.REMOTE, command.adapter());
        assertEquals("gpu-a", command.adapterOpts().get("pool").asText());
        assertEquals(30, command.adapterOpts().path("capacity_wait_seconds").asInt(),
                "the executor is told the capacity wait the gateway applies (for a backend that queues runs itself)");
        defaults.poll(Duration.ofMillis(500)).forEach(r -> assertTrue(!id.equals(r.key()), "the default executors got a pool's run"));
        assertEquals(commands + ".gpu-a", commands + Topics.runsRequested("gpu-a").substring(Topics.RUNS_REQUESTED.length()));

        JsonPath run = await().atMost(Duration.ofSeconds(5)).until(() -> run(id), r -> "dispatched".equals(r.getString("queue.state")));
        assertEquals("queued", run.getString("status"));
        assertEquals("gpu-a", run.getString("queue.pool"));
        Instant since = Instant.parse(run.getString("queue.since"));
        assertEquals(since.plusSeconds(30), Instant.parse(run.getString("queue.capacity_deadline")),
                "the gateway's capacity wait (the run asked for none shorter)");
        given().get("/v1/runs?limit=50").then().statusCode(200);
    }

    @Test
    void noExecutorOfThePoolEndsTheRunWithNoCapacityAfterItsShortDeadline() throws Exception {
        long start = System.nanoTime();
        String id = submit("{\"pool\":\"cpu-b\",\"capacity_wait_seconds\":2}");
        JsonPath queued = await().atMost(Duration.ofSeconds(5)).until(() -> run(id), r -> r.getString("queue.capacity_deadline") != null);
        assertEquals(Instant.parse(queued.getString("queue.since")).plusSeconds(2), Instant.parse(queued.getString("queue.capacity_deadline")));
        JsonPath failed = await().atMost(Duration.ofSeconds(15)).until(() -> run(id), r -> "error".equals(r.getString("status")));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 2000, "failed before its deadline");
        assertEquals("ERR_NO_CAPACITY", failed.getString("error.code"));
        assertTrue(failed.getString("error.message").contains("pool 'cpu-b'"), failed.getString("error.message"));
        assertTrue(failed.getString("error.message").contains("HANGAR_EXECUTOR_POOL=cpu-b"), failed.getString("error.message"));
    }

    @Test
    void aRunThatAPoolExecutorStartedIsNotFailedForCapacity() throws Exception {
        try (var events = TestStack.producer()) {
            String id = submit("{\"pool\":\"gpu-a\",\"capacity_wait_seconds\":4}");
            await().atMost(Duration.ofSeconds(3)).until(() -> "dispatched".equals(run(id).getString("queue.state")));
            TestStack.send(events, EVENTS, id, Json.write(RunEvent.of(id, 1, 1, null,
                    new RunEvent.Started(ProcessorRef.parse(REF), Adapter.REMOTE, Mode.MOCK, "sha256:" + "a".repeat(64), "pool-test"))));
            await().atMost(Duration.ofSeconds(4)).until(() -> "running".equals(run(id).getString("status")));
            // well past its capacity deadline: still running, the sweeper's capacity check is for queued runs only
            await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).until(() -> "running".equals(run(id).getString("status")));
        }
    }

    @Test
    void aRunItsExecutorsBackendQueuesSaysWhereAndGetsTheSweepersGraceBeyondItsDeadline() throws Exception {
        String where = "pending in Slurm partition gpu: Resources (job 42)";
        try (var events = TestStack.producer()) {
            String id = submit("{\"pool\":\"gpu-a\",\"capacity_wait_seconds\":2}");
            var seen = new HashMap<String, String>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                pool.poll(Duration.ofMillis(100)).forEach(r -> seen.put(r.key(), r.value()));
                return seen.containsKey(id);
            });
            assertEquals(2, Json.read(seen.get(id), RunRequested.class).adapterOpts().path("capacity_wait_seconds").asInt(),
                    "the run's own shorter wait");
            TestStack.send(events, EVENTS, id, Json.write(RunEvent.of(id, 1, 1, null,
                    new RunEvent.Queued(ProcessorRef.parse(REF), Adapter.REMOTE, Mode.MOCK, where))));

            JsonPath queued = await().atMost(Duration.ofSeconds(5)).until(() -> run(id), r -> r.getString("queue.waiting") != null);
            assertEquals(where, queued.getString("queue.waiting"));
            assertEquals("queued", queued.getString("status"));
            Instant deadline = Instant.parse(queued.getString("queue.capacity_deadline"));
            // past its 2 s deadline, within the sweeper's 8 s grace: the executor that queued it ends it, with Slurm's reason
            await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(deadline.plusSeconds(2)));
            assertEquals("queued", run(id).getString("status"), "the sweeper did not take it from its executor at the deadline");
            // that executor never did (it was lost): the sweeper ends it all the same
            JsonPath failed = await().atMost(Duration.ofSeconds(20)).until(() -> run(id), r -> "error".equals(r.getString("status")));
            assertEquals("ERR_NO_CAPACITY", failed.getString("error.code"));
            assertTrue(Instant.now().isAfter(deadline.plusSeconds(8)), "swept only after the grace");
        }
    }

    @Test
    void poolsTheGatewayDoesNotKnowAreRefusedAndLeaveNoRun() throws Exception {
        long before = runs();
        refused("{\"pool\":\"gpu-z\"}", 400, "ERR_OPTION_INVALID", "pool 'gpu-z' is not configured on this gateway (pools: gpu-a, cpu-b)");
        refused("{\"pool\":\"GPU_A\"}", 400, "ERR_OPTION_INVALID", "not a valid pool name");
        refused("{}", 400, "ERR_OPTION_INVALID", "a remote run must name its pool");
        refused("{\"pool\":\"gpu-a\",\"capacity_wait_seconds\":0}", 400, "ERR_OPTION_INVALID", "capacity_wait_seconds");
        assertEquals(before, runs(), "a refused remote run left a run behind");
    }

    private void refused(String opts, int status, String code, String message) {
        given().contentType("application/json").body(body(opts)).post("/v1/runs").then().statusCode(status)
                .body("code", equalTo(code)).body("detail", containsString(message));
    }

    private static String body(String opts) {
        return "{\"ref\":\"" + REF + "\",\"adapter\":\"remote\",\"adapter_opts\":" + opts + ",\"inputs\":{\"text\":\"x\"}}";
    }

    private String submit(String opts) {
        String id = given().contentType("application/json").body(body(opts)).post("/v1/runs").then().statusCode(202)
                .extract().path("execution_id");
        assertNotNull(id);
        return id;
    }

    private static JsonPath run(String id) {
        return given().get("/v1/runs/" + id).then().statusCode(200).extract().jsonPath();
    }

    private long runs() throws Exception {
        try (var c = db.getConnection(); var s = c.createStatement(); var rs = s.executeQuery(
                "SELECT count(*) FROM runs WHERE ref = '" + REF + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
