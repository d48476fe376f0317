package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.Topics;
import dev.hangar.kit.testing.StackCredentials;
import io.restassured.path.json.JsonPath;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-owner concurrency limit against the real Kafka and PostgreSQL, with this test as the
 * executor (it reads the gateway's commands and writes the run events): one owner's flood is held
 * in the gateway and released in submit order as its runs end, and never delays another owner;
 * a held run says where it waits, can be canceled without reaching Kafka, and is nobody else's
 * business.
 */
@QuarkusTest
@TestProfile(OwnerQueueTest.Limits.class)
class OwnerQueueTest {
    /** Owners of this test run only: runs an earlier, aborted run left active count for nobody here. */
    static final String RUN = Long.toString(System.nanoTime(), 36);
    static final String OWNER_A = "queue-a-" + RUN;
    static final String OWNER_B = "queue-b-" + RUN;
    static final String A = "Bearer queue-a-token-" + RUN;
    static final String B = "Bearer queue-b-token-" + RUN;
    static final int A_LIMIT = 3;
    static final String REF = "gwtest/queue-" + Long.toString(System.nanoTime(), 36) + "@1";

    /** Two owners; the flooding one may have three runs out at once. */
    public static class Limits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hangar.gateway.auth-enabled", "true",
                    "hangar.gateway.bootstrap-tokens", OWNER_A + "=" + A.substring(7) + "," + OWNER_B + "=" + B.substring(7),
                    "hangar.gateway.queue.owner-max-active", "32",
                    "hangar.gateway.queue.owner-max-waiting", "45",
                    "hangar.gateway.queue.owner-overrides", OWNER_A + "=" + A_LIMIT,
                    "hangar.gateway.outbox.interval", "300ms");
        }
    }

    @ConfigProperty(name = "mp.messaging.outgoing.run-requests.topic")
    String commands;

    KafkaConsumer<String, String> executor;
    KafkaProducer<String, String> events;
    /** Every command this "executor" got, in the order it got them. */
    final Set<String> received = new LinkedHashSet<>();

    @BeforeAll
    static void register() throws Exception {
        TestStack.register(REF, RunResourceTest.SCHEMA);
    }

    @BeforeEach
    void connect() throws Exception {
        executor = TestStack.commandConsumer(commands, "gwtest-queue-" + UUID.randomUUID());
        events = TestStack.producer();
    }

    @AfterEach
    void close() {
        executor.close();
        events.close();
    }

    @Test
    void oneOwnersFloodIsHeldInSubmitOrderAndNeverDelaysAnotherOwner() throws Exception {
        int flood = 40;
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < flood; i++) {
            mine.add(submit(A));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> receivedOf(mine).size() == A_LIMIT);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> receivedOf(mine).size() == A_LIMIT);
        assertEquals(mine.subList(0, A_LIMIT), receivedOf(mine), "only the first runs of the flood went out");

        JsonPath last = run(A, mine.getLast());
        assertEquals("queued", last.getString("status"));
        assertEquals("held_owner_limit", last.getString("queue.state"));
        assertEquals(flood - A_LIMIT, last.getInt("queue.position"));
        assertEquals(A_LIMIT, last.getInt("queue.owner_active"));
        assertEquals(A_LIMIT, last.getInt("queue.owner_limit"));
        assertEquals("dispatched", run(A, mine.getFirst()).getString("queue.state"));

        // the other owner's run goes out at once and ends, the flood notwithstanding
        long start = System.nanoTime();
        String other = submit(B);
        await().atMost(Duration.ofSeconds(5)).until(() -> poll().contains(other));
        JsonPath otherRun = run(B, other);
        assertEquals("dispatched", otherRun.getString("queue.state"));
        assertEquals(32, otherRun.getInt("queue.owner_limit"), "the default limit, for an owner without an override");
        assertEquals(1, otherRun.getInt("queue.owner_active"), "B's count is B's own run: A's are not in it");
        finish(other);
        await().atMost(Duration.ofSeconds(10)).until(() -> "success".equals(run(B, other).getString("status")));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10, "B's run was not held behind A's");

        // the hostile neighbour sees none of it
        given().header("Authorization", B).get("/v1/runs/" + mine.getLast()).then().statusCode(404)
                .body("code", equalTo("ERR_RUN_NOT_FOUND"));
        given().header("Authorization", B).post("/v1/runs/" + mine.getLast() + "/cancel").then().statusCode(404);
        List<String> seenByB = given().header("Authorization", B).get("/v1/runs?limit=1000").then().statusCode(200)
                .extract().jsonPath().getList("execution_id");
        assertTrue(seenByB.stream().noneMatch(mine::contains), "B's list has none of A's runs");

        // a held run canceled ends at once and never reaches Kafka
        String canceled = mine.get(20);
        given().header("Authorization", A).post("/v1/runs/" + canceled + "/cancel").then().statusCode(202);
        JsonPath gone = run(A, canceled);
        assertEquals("canceled", gone.getString("status"));
        assertEquals("ERR_CANCELED", gone.getString("error.code"));
        assertEquals(flood - A_LIMIT - 1, run(A, mine.getLast()).getInt("queue.position"), "one fewer ahead of the last");

        // A's runs end one by one; each end releases the next, in submit order, and the last moves up
        List<String> expected = new ArrayList<>(mine);
        expected.remove(canceled);
        int done = 0;
        while (done < expected.size()) {
            int out = Math.min(expected.size(), done + A_LIMIT);
            await().atMost(Duration.ofSeconds(10)).until(() -> receivedOf(expected).size() >= out);
            assertEquals(expected.subList(0, out), receivedOf(expected), "released in submit order, never past the limit");
            JsonPath waiting = run(A, expected.getLast());
            if (out < expected.size()) {
                assertEquals("held_owner_limit", waiting.getString("queue.state"));
                assertEquals(expected.size() - out, waiting.getInt("queue.position"), "the last moves up by one per release");
            }
            finish(expected.get(done));
            done++;
        }
        for (String id : expected) {
            await().atMost(Duration.ofSeconds(10)).until(() -> "success".equals(run(A, id).getString("status")));
        }
        assertFalse(received.contains(canceled), "the canceled run never reached Kafka");
        assertEquals(expected, receivedOf(mine), "every run of the flood went out once, in order, none lost");

        // past owner-max-waiting (45 held), a submission is refused before anything is written
        List<String> more = new ArrayList<>();
        while (more.size() < 60) {
            var answer = given().header("Authorization", A).contentType("application/json")
                    .body("{\"ref\":\"" + REF + "\",\"inputs\":{\"text\":\"x\"}}").post("/v1/runs");
            if (answer.statusCode() == 429) {
                assertEquals("ERR_RATE_LIMITED", answer.jsonPath().getString("code"));
                assertEquals("2", answer.header("Retry-After"));
                assertTrue(answer.jsonPath().getString("detail").contains("at most 45 may wait"), answer.body().asString());
                break;
            }
            assertEquals(202, answer.statusCode(), answer.body().asString());
            more.add(answer.jsonPath().getString("execution_id"));
        }
        assertTrue(more.size() >= 45 && more.size() <= 45 + A_LIMIT, "accepted until 45 were held: " + more.size());
        List<String> listed = given().header("Authorization", A).get("/v1/runs?limit=1000").then().statusCode(200)
                .extract().jsonPath().getList("execution_id");
        assertEquals(flood + more.size(), listed.size(), "a run for every 202, none for the 429");
        for (String id : more) {
            given().header("Authorization", A).post("/v1/runs/" + id + "/cancel").then().statusCode(202);
        }
    }

    private String submit(String token) {
        return given().header("Authorization", token).contentType("application/json")
                .body("{\"ref\":\"" + REF + "\",\"inputs\":{\"text\":\"x\"}}")
                .post("/v1/runs").then().statusCode(202).extract().path("execution_id");
    }

    private JsonPath run(String token, String id) {
        return given().header("Authorization", token).get("/v1/runs/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** The commands received so far (after polling), among {@code ids}, in the order received. */
    private List<String> receivedOf(List<String> ids) {
        poll();
        return received.stream().filter(ids::contains).toList();
    }

    private Set<String> poll() {
        for (var record : executor.poll(Duration.ofMillis(100))) {
            received.add(record.key());
        }
        return received;
    }

    /** Started and completed, as an executor reports a run. */
    private void finish(String id) throws Exception {
        var ref = ProcessorRef.parse(REF);
        TestStack.send(events, Topics.RUNS_EVENTS, id, Json.write(RunEvent.of(id, 1, 1, null,
                new RunEvent.Started(ref, Adapter.LOCAL, Mode.MOCK, "sha256:" + "a".repeat(64), "queue-test"))));
        var meta = new Envelope.Meta(REF, Adapter.LOCAL, Mode.MOCK, Platform.AMD64, 1, "sha256:" + "a".repeat(64), null, 5L, 1L,
                null, null);
        TestStack.send(events, Topics.RUNS_EVENTS, id, Json.write(RunEvent.of(id, 1, 2, null,
                RunEvent.terminal(Envelope.success(id, List.of(), "/artifacts/queue/" + id + "/outputs.json", meta)))));
    }
}
