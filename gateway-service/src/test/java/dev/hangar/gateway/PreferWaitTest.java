package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.Topics;
import dev.hangar.gateway.service.RunEnds;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/runs} with {@code Prefer: wait} against the real Kafka and PostgreSQL, this test
 * playing the executor: a run that ends within the wait is answered 201 with its envelope, one
 * that does not the usual 202 once the wait passed; the wait is only ever for the caller's own
 * run; a malformed wait is refused before anything is done; past the cap of held submissions the
 * answer comes at once.
 */
@QuarkusTest
@TestProfile(PreferWaitTest.Held.class)
class PreferWaitTest {
    static final String RUN = Long.toString(System.nanoTime(), 36);
    static final String OWNER_A = "wait-a-" + RUN;
    static final String OWNER_B = "wait-b-" + RUN;
    static final String A = "Bearer wait-a-token-" + RUN;
    static final String B = "Bearer wait-b-token-" + RUN;
    static final String REF = "gwtest/wait-" + RUN + "@1";
    static final String BODY = "{\"ref\":\"" + REF + "\",\"inputs\":{\"text\":\"x\"}}";

    /** Two owners; one submission held at a time, so the cap is reachable. */
    public static class Held implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hangar.gateway.auth-enabled", "true",
                    "hangar.gateway.bootstrap-tokens", OWNER_A + "=" + A.substring(7) + "," + OWNER_B + "=" + B.substring(7),
                    "hangar.gateway.max-waiting-submits", "1");
        }
    }

    @ConfigProperty(name = "mp.messaging.outgoing.run-requests.topic")
    String commands;

    @Inject
    RunEnds ends;

    @Inject
    AgroalDataSource db;

    KafkaConsumer<String, String> executor;
    KafkaProducer<String, String> events;
    final Set<String> received = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void register() throws Exception {
        TestStack.register(REF, RunResourceTest.SCHEMA);
    }

    @BeforeEach
    void connect() throws Exception {
        executor = TestStack.commandConsumer(commands, "gwtest-wait-" + RUN + "-" + System.nanoTime());
        events = TestStack.producer();
        try (var c = db.getConnection(); var st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT execution_id FROM runs WHERE ref = '" + REF + "'")) {
            while (rs.next()) {
                received.add(rs.getString(1)); // an earlier test's run's late command is not this test's
            }
        }
    }

    @AfterEach
    void close() {
        executor.close();
        events.close();
    }

    @Test
    void aRunThatEndsWithinTheWaitIsAnswered201WithItsEnvelope() throws Exception {
        var answer = CompletableFuture.supplyAsync(() -> post(A, "wait=20", null));
        String id = nextCommand();
        Response r = finishedBy(id, answer);
        assertEquals(201, r.statusCode(), r.asString());
        assertEquals("wait=20", r.header("Preference-Applied"));
        assertEquals(id, r.jsonPath().getString("execution_id"));
        assertEquals("success", r.jsonPath().getString("status"));
        assertTrue(r.header("Location").endsWith("/v1/runs/" + id), r.header("Location"));
        String stored = given().header("Authorization", A).get("/v1/runs/" + id).then().statusCode(200).extract().asString();
        assertEquals(Json.MAPPER.readTree(stored), Json.MAPPER.readTree(r.asString()), "the same run GET /v1/runs/{id} gives");
    }

    @Test
    void aRunStillGoingAfterTheWaitIsTheUsual202() {
        long start = System.nanoTime();
        Response r = post(A, "respond-async, wait=1", null);
        assertEquals(202, r.statusCode(), r.asString());
        assertEquals("wait=1", r.header("Preference-Applied"));
        assertEquals("queued", r.jsonPath().getString("status"));
        assertTrue(r.jsonPath().getString("stream_url").startsWith("ws"));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 900, "the answer was held for the wait");
    }

    @Test
    void aRunThatStartedButDidNotEndInTheWaitSaysRunning() throws Exception {
        var answer = CompletableFuture.supplyAsync(() -> post(A, "wait=3", null));
        String id = nextCommand();
        start(id);
        Response r = answer.get(20, TimeUnit.SECONDS);
        assertEquals(202, r.statusCode(), r.asString());
        assertEquals(id, r.jsonPath().getString("execution_id"));
        assertEquals("running", r.jsonPath().getString("status"), "where the run stands when the wait ran out");
    }

    @Test
    void anIdempotentReplayIsTheUsual200WithTheStatusAfterTheWait() throws Exception {
        String key = "k-" + RUN + "-replay";
        var first = CompletableFuture.supplyAsync(() -> post(A, "wait", key));
        String id = nextCommand();
        assertEquals(201, finishedBy(id, first).statusCode());
        Response again = post(A, "wait=5", key);
        assertEquals(200, again.statusCode(), again.asString());
        assertEquals(id, again.jsonPath().getString("execution_id"));
        assertEquals("success", again.jsonPath().getString("status"));
        assertTrue(again.jsonPath().getString("run_url").endsWith("/v1/runs/" + id), "a RunAccepted, as any replay");
        assertEquals("wait=5", again.header("Preference-Applied"));
    }

    @Test
    void theWaitIsOnlyEverForTheCallersOwnRun() throws Exception {
        String key = "k-" + RUN + "-shared";
        var mine = CompletableFuture.supplyAsync(() -> post(A, "wait=20", key));
        String aRun = nextCommand();
        assertEquals(201, finishedBy(aRun, mine).statusCode());
        // B's same key is B's own (keys are per owner): B waits for B's run, which never ends
        Response theirs = post(B, "wait=1", key);
        assertEquals(202, theirs.statusCode(), theirs.asString());
        assertNotEquals(aRun, theirs.jsonPath().getString("execution_id"));
        assertNull(theirs.jsonPath().get("outputs"), "nothing of A's run");
        given().header("Authorization", B).get("/v1/runs/" + aRun).then().statusCode(404);
    }

    @Test
    void aMalformedWaitIsRefusedAndStartsNothing() throws Exception {
        long before = runs();
        for (String prefer : List.of("wait=0", "wait=61", "wait=soon", "wait=1.5")) {
            Response r = post(A, prefer, null);
            assertEquals(400, r.statusCode(), prefer + ": " + r.asString());
            assertEquals("ERR_BAD_REQUEST", r.jsonPath().getString("code"));
            assertTrue(r.jsonPath().getString("detail").contains("Prefer: wait"), r.asString());
        }
        assertEquals(before, runs(), "a refused wait left a run behind");
        Response ignored = post(A, "return=minimal", null); // not ours: ignored (RFC 7240)
        assertEquals(202, ignored.statusCode());
        assertNull(ignored.header("Preference-Applied"));
    }

    @Test
    void pastTheCapTheAnswerComesAtOnce() throws Exception {
        var held = CompletableFuture.supplyAsync(() -> post(A, "wait=30", null));
        String first = nextCommand();
        await().atMost(Duration.ofSeconds(10)).until(() -> ends.held() == 1);
        long start = System.nanoTime();
        Response refused = post(B, "wait=30", null);
        assertEquals(202, refused.statusCode(), refused.asString());
        assertNull(refused.header("Preference-Applied"), "it did not wait");
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 20, "answered without the wait");
        assertEquals(201, finishedBy(first, held).statusCode());
        await().atMost(Duration.ofSeconds(5)).until(() -> ends.held() == 0);
    }

    private Response post(String token, String prefer, String key) {
        var request = given().header("Authorization", token).header("Prefer", prefer).contentType("application/json").body(BODY);
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return request.post("/v1/runs");
    }

    /** The execution id of the next command the gateway sends. */
    private String nextCommand() {
        var seen = new java.util.ArrayList<String>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (var record : executor.poll(Duration.ofMillis(100))) {
                if (received.add(record.key())) {
                    seen.add(record.key());
                }
            }
            return !seen.isEmpty();
        });
        return seen.getFirst();
    }

    private long runs() throws Exception {
        try (var c = db.getConnection(); var s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM runs WHERE ref = '" + REF + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Reports the run ended until {@code answer} comes: the gateway's event consumer may not have
     * its partitions yet when a test starts, and it reads from the end (a repeated event is known).
     */
    private Response finishedBy(String id, CompletableFuture<Response> answer) throws Exception {
        for (int i = 0; i < 30; i++) {
            finish(id);
            try {
                return answer.get(1, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // not yet: again
            }
        }
        return answer.get(1, TimeUnit.SECONDS);
    }

    /** Started and completed, as an executor reports a run. */
    private void finish(String id) throws Exception {
        start(id);
        var meta = new Envelope.Meta(REF, Adapter.LOCAL, Mode.MOCK, Platform.AMD64, 1, "sha256:" + "a".repeat(64), null, 5L, 1L,
                null, null);
        TestStack.send(events, Topics.RUNS_EVENTS, id, Json.write(RunEvent.of(id, 1, 2, null,
                RunEvent.terminal(Envelope.success(id, List.of(), "/artifacts/wait/" + id + "/outputs.json", meta)))));
    }

    /** Started, as an executor reports a run it took. */
    private void start(String id) throws Exception {
        TestStack.send(events, Topics.RUNS_EVENTS, id, Json.write(RunEvent.of(id, 1, 1, null,
                new RunEvent.Started(ProcessorRef.parse(REF), Adapter.LOCAL, Mode.MOCK, "sha256:" + "a".repeat(64), "wait-test"))));
    }
}
