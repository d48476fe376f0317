package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.RunEvent;
import dev.hangar.kit.testing.StackCredentials;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 * Training sessions at the gateway, against the real Kafka and PostgreSQL with this test as the
 * executor (it reads the commands and writes the run events): a session's calls reach Kafka keyed
 * by the session, one at a time in the order they were made; other sessions are never held
 * behind them; sessions whose heartbeats stop expire with a closing run; every entry point
 * refuses bad input with a stable code; another owner finds nothing.
 */
@QuarkusTest
@TestProfile(TrainingSessionsTest.Profile.class)
class TrainingSessionsTest {
    static final String RUN = Long.toString(System.nanoTime(), 36);
    static final String ALICE = "Bearer train-a-token-" + RUN;
    static final String BOB = "Bearer train-b-token-" + RUN;
    static final String REF = "gwtest/session-" + RUN + "@1";
    /** This test's own events topic: a fresh group on the shared one would first read every other test's events. */
    static final String EVENTS = "gwtest-train-events-" + RUN;

    /** Two owners; the test's base model; heartbeats time out in 60 s (the expiry test ages its session in the database). */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(Map.entry("hangar.gateway.auth-enabled", "true"),
                    Map.entry("mp.messaging.incoming.run-events.topic", EVENTS),
                    Map.entry("mp.messaging.incoming.run-events.dead-letter-queue.topic", EVENTS + ".dlq"),
                    Map.entry(
"hangar.gateway.bootstrap-tokens", "train-a-" + RUN + "=" + ALICE.substring(7) + ",train-b-" + RUN + "="
                            + BOB.substring(7)),
                    Map.entry("hangar.gateway.models.\"test/base\".sampler", REF), // a base model samples; this test never does
                    Map.entry("hangar.gateway.models.\"test/base\".session", REF),
                    Map.entry("hangar.gateway.models.\"test/base\".mode", "mock"),
                    Map.entry("hangar.gateway.training.heartbeat-timeout", "60s"),
                    Map.entry("hangar.gateway.training.expiry-interval", "500ms"),
                    Map.entry("hangar.gateway.outbox.interval", "300ms"));
        }
    }

    @ConfigProperty(name = "mp.messaging.outgoing.run-requests.topic")
    String commands;

    @jakarta.inject.Inject
    io.agroal.api.AgroalDataSource db;

    KafkaConsumer<String, String> executor;
    KafkaProducer<String, String> events;
    final List<ConsumerRecord<String, String>> received = new ArrayList<>();

    @BeforeAll
    static void register() throws Exception {
        TestStack.register(REF, "{\"type\":\"object\",\"required\":[\"session_id\",\"op\"]}");
    }

    @BeforeEach
    void connect() throws Exception {
        executor = TestStack.commandConsumer(commands, "gwtest-train-" + UUID.randomUUID());
        events = TestStack.producer();
    }

    @AfterEach
    void close() {
        executor.close();
        events.close();
    }

    @Test
    void aSessionsCallsGoOutKeyedByItOneAtATimeInTheOrderTheyWereMade() throws Exception {
        String session = create(ALICE);
        var create = awaitCommands(session, 1).getFirst();
        assertEquals(session, create.key(), "the Kafka key is the session: one partition, one executor");
        JsonNode command = Json.MAPPER.readTree(create.value());
        assertEquals(session, command.path("session").asText());
        assertEquals("create", command.path("inputs").path("op").asText());
        assertEquals(8, command.path("inputs").path("args").path("lora_config").path("rank").asInt());

        var calls = new ArrayList<String>();
        for (String op : List.of("forward_backward", "optim_step", "forward_backward")) {
            calls.add(call(ALICE, session, op, "{}").path("future_id").asText());
        }
        String other = create(ALICE); // another session is never held behind this one
        await().atMost(Duration.ofSeconds(10)).until(() -> commandsOf(other).size() == 1);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> commandsOf(session).size() == 1);
        assertEquals("pending", future(ALICE, calls.getFirst()).path("status").asText());

        finish(create);
        for (int i = 0; i < calls.size(); i++) {
            int out = i + 2;
            await().atMost(Duration.ofSeconds(10)).until(() -> commandsOf(session).size() >= out);
            await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3)).until(() -> commandsOf(session).size() == out);
            var sent = commandsOf(session).getLast();
            assertEquals(calls.get(i), Json.MAPPER.readTree(sent.value()).path("execution_id").asText(), "in the order made");
            finish(sent);
        }
        var ended = future(ALICE, calls.getFirst()); // this "executor" stored no output.json: a failed future, never pending
        assertEquals("failed", ended.path("status").asText(), ended.toString());
        assertEquals("ERR_PROCESSOR_FAILED", ended.path("error").path("code").asText(), ended.toString());

        given().header("Authorization", ALICE).post("/v1/training/sessions/" + session + "/close").then().statusCode(200)
                .body("status", equalTo("closed"));
        await().atMost(Duration.ofSeconds(10)).until(() -> commandsOf(session).size() == calls.size() + 2);
        JsonNode closing = Json.MAPPER.readTree(commandsOf(session).getLast().value());
        assertEquals("close", closing.path("inputs").path("op").asText());
        assertTrue(closing.path("session_end").asBoolean(), "the closing run frees the container");
        given().header("Authorization", ALICE).contentType("application/json").body("{\"args\":{}}")
                .post("/v1/training/sessions/" + session + "/calls/forward").then().statusCode(409)
                .body("code", equalTo("ERR_SESSION_CLOSED"));
        given().header("Authorization", ALICE).post("/v1/training/sessions/" + other + "/close").then().statusCode(200);
    }

    @Test
    void aSessionWhoseHeartbeatsStopExpiresAndIsClosedOnce() throws Exception {
        String session = create(ALICE);
        finish(awaitCommands(session, 1).getFirst());
        given().header("Authorization", ALICE).post("/v1/training/sessions/" + session + "/heartbeat").then().statusCode(200)
                .body("status", equalTo("open"));
        Thread.sleep(1500); // a few expiry rounds: a session heard from within its timeout stays open
        given().header("Authorization", ALICE).get("/v1/training/sessions/" + session).then().body("status", equalTo("open"));
        try (var c = db.getConnection(); var ps = c.prepareStatement( // its client went quiet a minute ago
                "UPDATE training_sessions SET last_heartbeat_at = now() - interval '61 seconds' WHERE session_id = ?")) {
            ps.setString(1, session);
            assertEquals(1, ps.executeUpdate());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> "expired".equals(
                given().header("Authorization", ALICE).get("/v1/training/sessions/" + session).then().extract().path("status")));
        await().atMost(Duration.ofSeconds(10)).until(() -> commandsOf(session).size() == 2);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> commandsOf(session).size() == 2);
        assertTrue(Json.MAPPER.readTree(commandsOf(session).getLast().value()).path("session_end").asBoolean());
        given().header("Authorization", ALICE).post("/v1/training/sessions/" + session + "/heartbeat").then().statusCode(409)
                .body("code", equalTo("ERR_SESSION_CLOSED")).body("detail", containsString("expired"));
    }

    @Test
    void badInputIsRefusedWithAStableCodeAndAnotherOwnerFindsNothing() throws Exception {
        var refusals = Map.of(
                "{\"base_model\":\"nope/model\"}", ErrorCode.ERR_OPTION_INVALID,
                "{}", ErrorCode.ERR_BAD_REQUEST,
                "{\"base_model\":\"test/base\",\"lora_config\":{\"rank\":0}}", ErrorCode.ERR_OPTION_INVALID,
                "{\"base_model\":\"test/base\",\"lora_config\":{\"train_mlp\":false,\"train_attn\":false,\"train_unembed\":false}}",
                ErrorCode.ERR_OPTION_INVALID);
        refusals.forEach((body, code) -> given().header("Authorization", ALICE).contentType("application/json").body(body)
                .post("/v1/training/sessions").then().statusCode(code.httpStatus()).body("code", equalTo(code.name())));
        String session = create(ALICE);
        given().header("Authorization", ALICE).contentType("application/json").body("{}")
                .post("/v1/training/sessions/" + session + "/calls/teleport").then().statusCode(400)
                .body("code", equalTo("ERR_OPTION_INVALID"));
        given().header("Authorization", ALICE).contentType("application/json").body("{}")
                .post("/v1/training/sessions/" + session + "/calls/create").then().statusCode(400);
        given().header("Authorization", ALICE).contentType("application/json").body("{\"args\":[1]}")
                .post("/v1/training/sessions/" + session + "/calls/forward").then().statusCode(400)
                .body("code", equalTo("ERR_BAD_REQUEST"));
        for (String id : List.of("ts_nosuchsessionatall00000", "not-an-id", session)) {
            given().header("Authorization", id.equals(session) ? BOB : ALICE).get("/v1/training/sessions/" + id).then()
                    .statusCode(404).body("code", equalTo("ERR_SESSION_NOT_FOUND"));
        }
        String create = given().header("Authorization", ALICE).get("/v1/training/sessions/" + session).then().statusCode(200)
                .extract().path("created.future_id");
        given().header("Authorization", BOB).get("/v1/training/futures/" + create).then().statusCode(404)
                .body("code", equalTo("ERR_SESSION_NOT_FOUND"));
        given().header("x-api-key", BOB.substring(7)).contentType("application/json").body("{\"request_id\":\"" + create + "\"}")
                .post("/api/v1/retrieve_future").then().statusCode(404);
        given().header("x-api-key", ALICE.substring(7)).contentType("application/json").body("{\"request_id\":\"" + create + "\"}")
                .post("/api/v1/retrieve_future").then().statusCode(200).body("type", equalTo("try_again"))
                .body("retry_after_ms", equalTo(250));
        given().contentType("application/json").body("{}").post("/api/v1/create_session").then().statusCode(401);
        given().get("/api/v1/healthz").then().statusCode(200).body("status", equalTo("ok"));
        given().header("Authorization", ALICE).post("/v1/training/sessions/" + session + "/close").then().statusCode(200);
    }

    // ---- helpers

    private String create(String token) {
        return given().header("Authorization", token).contentType("application/json")
                .body("{\"base_model\":\"test/base\",\"lora_config\":{\"rank\":8}}").post("/v1/training/sessions").then()
                .statusCode(201).body("status", equalTo("open")).extract().path("session_id");
    }

    private JsonNode call(String token, String session, String op, String args) throws Exception {
        return Json.MAPPER.readTree(given().header("Authorization", token).contentType("application/json")
                .body("{\"args\":" + args + "}").post("/v1/training/sessions/" + session + "/calls/" + op).then().statusCode(202)
                .extract().asString());
    }

    private JsonNode future(String token, String id) throws Exception {
        return Json.MAPPER.readTree(given().header("Authorization", token).get("/v1/training/futures/" + id).then()
                .extract().asString());
    }

    private List<ConsumerRecord<String, String>> awaitCommands(String session, int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> commandsOf(session).size() >= n);
        return commandsOf(session);
    }

    private List<ConsumerRecord<String, String>> commandsOf(String session) {
        for (var record : executor.poll(Duration.ofMillis(100))) {
            received.add(record);
        }
        return received.stream().filter(r -> session.equals(r.key())).toList();
    }

    /** Started and completed, as an executor reports a run. */
    private void finish(ConsumerRecord<String, String> command) throws Exception {
        String id = Json.MAPPER.readTree(command.value()).path("execution_id").asText();
        var ref = ProcessorRef.parse(REF);
        TestStack.send(events, EVENTS, id, Json.write(RunEvent.of(id, 1, 1, null,
                new RunEvent.Started(ref, Adapter.LOCAL, Mode.MOCK, "sha256:" + "a".repeat(64), "train-test"))));
        var meta = new Envelope.Meta(REF, Adapter.LOCAL, Mode.MOCK, Platform.AMD64, 1, "sha256:" + "a".repeat(64), null, 5L, 1L,
                null, null);
        TestStack.send(events, EVENTS, id, Json.write(RunEvent.of(id, 1, 2, null,
                RunEvent.terminal(Envelope.success(id, List.of(), "/artifacts/training/" + id + "/outputs.json", meta)))));
    }
}
