package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Checkpoint;
import dev.hangar.contracts.ContentId;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.Topics;
import dev.hangar.gateway.client.StorageClient;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A training session's saves are checkpoints, and load_weights takes another session's or a
 * training run's: through the real gateway, Kafka, PostgreSQL, storage service and S3, the
 * executor played by the test (it reads the session's commands, stores what the session processor
 * would write and sends the run's events). Alice owns; Bob is the other owner.
 */
@QuarkusTest
@TestProfile(CheckpointsTest.Profile.class)
class SessionCheckpointsTest {
    static final String ALICE = CheckpointsTest.ALICE;
    static final String BOB = CheckpointsTest.BOB;

    @Inject
    @RestClient
    StorageClient storage;

    @Inject
    AgroalDataSource db;

    @ConfigProperty(name = "mp.messaging.outgoing.run-requests.topic")
    String requestsTopic;

    KafkaConsumer<String, String> executor;
    final List<ConsumerRecord<String, String>> received = new ArrayList<>();
    CheckpointsTest runs;

    @BeforeEach
    void connect() throws Exception {
        CheckpointsTest.register();
        executor = TestStack.commandConsumer(requestsTopic, "gwtest-sessckpt-" + UUID.randomUUID());
        runs = new CheckpointsTest();
        runs.storage = storage;
        runs.requestsTopic = requestsTopic;
    }

    @AfterEach
    void close() {
        executor.close();
    }

    @Test
    void aSessionsSavesAreCheckpointsListedAtOnceWhenTheirFutureCompletes() throws Exception {
        String session = session(ALICE, 4);
        String sampler = call(ALICE, session, "save_weights_for_sampler", "{\"path\":\"s1\"}");
        byte[] hlora = bytes(700);
        finish(session, sampler, Map.of("sampler_weights/s1.hlora", hlora),
                "{\"type\":\"save_weights_for_sampler\",\"path\":\"hangar://" + session + "/sampler_weights/s1\"}");
        String weights = call(ALICE, session, "save_weights", "{\"path\":\"w1\"}");
        var state = new LinkedHashMap<String, byte[]>();
        for (String f : List.of("adapter_config.json", "adapter.pt", "optimizer.pt", "train_state.json")) {
            state.put("weights/w1/" + f, bytes(50 + f.length()));
        }
        finish(session, weights, state, "{\"type\":\"save_weights\",\"path\":\"hangar://" + session + "/weights/w1\"}");

        for (String future : List.of(sampler, weights)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> "completed".equals(future(ALICE, future).path("status").asText()));
        }
        // the future said completed: both are checkpoints now, not a register-interval later
        Checkpoint s1 = info(ALICE, "hangar://" + session + "/sampler_weights/s1");
        assertEquals("alice", s1.owner());
        assertEquals(CheckpointsTest.BASE, s1.baseModel());
        assertEquals(4, s1.lora().rank());
        assertEquals(hlora.length, s1.sizeBytes());
        assertEquals("/artifacts/inputs/" + ContentId.of(hlora) + "/s1.hlora", s1.attachment(), "what --model-path samples");
        try (var in = storage.open(s1.attachment().substring("/artifacts/".length()))) {
            assertArrayEquals(hlora, in.readAllBytes());
        }
        Checkpoint w1 = info(ALICE, "hangar://" + session + "/weights/w1");
        assertEquals(state.values().stream().mapToLong(b -> b.length).sum(), w1.sizeBytes());
        given().header("Authorization", ALICE).get("/v1/checkpoints?run_id=" + session).then().statusCode(200)
                .body("cursor.total_count", equalTo(2));

        // Tinker's views: the model's checkpoints and weights_info (tinker_path, as the SDK sends it)
        given().header("x-api-key", key(ALICE)).get("/api/v1/training_runs/" + session + "/checkpoints").then().statusCode(200)
                .body("checkpoints.size()", equalTo(2));
        given().header("x-api-key", key(ALICE)).contentType("application/json")
                .body("{\"tinker_path\":\"tinker://" + session + "/weights/w1\"}").post("/api/v1/weights_info").then()
                .statusCode(200).body("base_model", equalTo(CheckpointsTest.BASE)).body("lora_rank", equalTo(4));

        // Bob: nothing, as for a path nobody has
        given().header("Authorization", BOB).queryParam("path", s1.path()).get("/v1/checkpoints/info").then().statusCode(404)
                .body("code", equalTo("ERR_CHECKPOINT_NOT_FOUND"));
        given().header("x-api-key", key(BOB)).get("/api/v1/training_runs/" + session + "/checkpoints").then().statusCode(404);
        given().header("x-api-key", key(BOB)).contentType("application/json")
                .body("{\"tinker_path\":\"tinker://" + session + "/weights/w1\"}").post("/api/v1/weights_info").then()
                .statusCode(404).body("code", equalTo("ERR_CHECKPOINT_NOT_FOUND"));

        // a failed save registers nothing
        String failed = call(ALICE, session, "save_weights", "{\"path\":\"w2\"}");
        fail(failed);
        await().atMost(Duration.ofSeconds(20)).until(() -> "failed".equals(future(ALICE, failed).path("status").asText()));
        given().header("Authorization", ALICE).queryParam("path", "hangar://" + session + "/weights/w2").get("/v1/checkpoints/info")
                .then().statusCode(404);
        await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM session_checkpoint_calls WHERE execution_id = ?",
                failed) == 1); // claimed by the registrar's pass, with nothing to register
        given().header("Authorization", ALICE).get("/v1/checkpoints?run_id=" + session).then().body("cursor.total_count", equalTo(2));
    }

    @Test
    void loadWeightsResolvesAnotherSessionsOrARunsCheckpointOwnedOrPublishedAndHandsItsFilesAsInputs() throws Exception {
        var trained = runs.train(ALICE, "alice", 3); // rank 4: sampler_weights/step-3 and weights/final
        runs.awaitCheckpoints(ALICE, trained.runId(), 2);
        String path = "hangar://" + trained.runId() + "/weights/final";

        String mine = session(ALICE, 4);
        // a forged args.checkpoint is dropped: only the gateway names the files a load takes
        String load = call(ALICE, mine, "load_weights", "{\"path\":\"" + path + "\",\"optimizer\":true,"
                + "\"checkpoint\":{\"files\":{\"adapter.pt\":\"/etc/passwd\"}}}");
        JsonNode command = Json.MAPPER.readTree(awaitCommand(mine, load).value());
        JsonNode args = command.path("inputs").path("args");
        assertEquals(path, args.path("path").asText());
        assertTrue(args.path("optimizer").asBoolean());
        JsonNode files = args.path("checkpoint").path("files");
        assertEquals(4, files.size(), files.toString());
        JsonNode attachments = command.path("attachments");
        assertEquals(4, attachments.size());
        for (String f : List.of("adapter.pt", "adapter_config.json", "optimizer.pt", "train_state.json")) {
            String name = files.path(f).path("$attach").asText();
            String attached = attachments.path(name).asText();
            byte[] original = trained.files().get("weights/final/" + f);
            assertEquals("/artifacts/inputs/" + ContentId.of(original) + "/" + f, attached, f);
            try (var in = storage.open(attached.substring("/artifacts/".length()))) {
                assertArrayEquals(original, in.readAllBytes(), f + ": the checkpoint's own bytes");
            }
        }
        // its own session's path stays the processor's (it holds what it saved): no attachments
        String own = call(ALICE, mine, "load_weights", "{\"path\":\"hangar://" + mine + "/weights/w\"}");
        finish(mine, load, Map.of(), "{\"type\":\"load_weights\"}");
        JsonNode ownCommand = Json.MAPPER.readTree(awaitCommand(mine, own).value());
        assertTrue(ownCommand.path("attachments").isMissingNode() || ownCommand.path("attachments").isNull()
                || ownCommand.path("attachments").isEmpty(), ownCommand.toString());
        assertTrue(ownCommand.path("inputs").path("args").path("checkpoint").isMissingNode());

        // Bob: Alice's unpublished checkpoint is exactly a missing one, and nothing runs
        String bobs = session(BOB, 4);
        int before = count("SELECT count(*) FROM runs WHERE session_id = ?", bobs);
        var hidden = refuse(BOB, bobs, "{\"path\":\"" + path + "\"}", ErrorCode.ERR_CHECKPOINT_NOT_FOUND);
        var missing = refuse(BOB, bobs, "{\"path\":\"hangar://" + trained.runId() + "/weights/nope\"}", ErrorCode.ERR_CHECKPOINT_NOT_FOUND);
        assertEquals(hidden.replace(path, "P"), missing.replace("hangar://" + trained.runId() + "/weights/nope", "P"));
        given().header("x-api-key", key(BOB)).contentType("application/json")
                .body("{\"model_id\":\"" + bobs + "\",\"path\":\"tinker://" + trained.runId() + "/weights/final\",\"optimizer\":false}")
                .post("/api/v1/load_weights").then().statusCode(404).body("code", equalTo("ERR_CHECKPOINT_NOT_FOUND"));
        assertEquals(before, count("SELECT count(*) FROM runs WHERE session_id = ?", bobs), "a refused load runs nothing");

        // published: Bob loads it (Tinker's door, tinker:// path, weights only)
        given().header("Authorization", ALICE).contentType("application/json").body(Json.write(new Checkpoint.Ref(path)))
                .post("/v1/checkpoints/publish").then().statusCode(200);
        String bobLoad = given().header("x-api-key", key(BOB)).contentType("application/json")
                .body("{\"model_id\":\"" + bobs + "\",\"path\":\"tinker://" + trained.runId() + "/weights/final\",\"optimizer\":false}")
                .post("/api/v1/load_weights").then().statusCode(200).extract().path("request_id");
        JsonNode bobCommand = Json.MAPPER.readTree(awaitCommand(bobs, bobLoad).value());
        assertEquals(path, bobCommand.path("inputs").path("args").path("path").asText());
        assertFalse(bobCommand.path("inputs").path("args").path("optimizer").asBoolean());
        assertEquals(4, bobCommand.path("attachments").size());
        given().header("Authorization", ALICE).contentType("application/json").body(Json.write(new Checkpoint.Ref(path)))
                .post("/v1/checkpoints/unpublish").then().statusCode(200);

        // malformed or unfit: a validation error that says what is wrong, nothing run
        String other = session(ALICE, 8);
        int otherBefore = count("SELECT count(*) FROM runs WHERE session_id = ?", other);
        assertTrue(refuse(ALICE, other, "{\"path\":\"hangar://r-1/adapters/x\"}", ErrorCode.ERR_CHECKPOINT_PATH_INVALID).contains("'adapters'"));
        assertTrue(refuse(ALICE, other, "{\"path\":\"s3://r-1/weights/x\"}", ErrorCode.ERR_CHECKPOINT_PATH_INVALID).contains("hangar://"));
        assertTrue(refuse(ALICE, other, "{\"path\":\"hangar://r-1/weights\"}", ErrorCode.ERR_CHECKPOINT_PATH_INVALID).contains("three parts"));
        assertTrue(refuse(ALICE, other, "{\"path\":\"hangar://" + trained.runId() + "/sampler_weights/step-3\"}",
                ErrorCode.ERR_CHECKPOINT_PATH_INVALID).contains("sampler checkpoint"));
        assertTrue(refuse(ALICE, other, "{}", ErrorCode.ERR_BAD_REQUEST).contains("args.path"));
        assertTrue(refuse(ALICE, other, "{\"path\":\"" + path + "\"}", ErrorCode.ERR_OPTION_INVALID).contains("rank 4"));
        assertEquals(otherBefore, count("SELECT count(*) FROM runs WHERE session_id = ?", other));
    }

    // ---- helpers

    private static String key(String bearer) {
        return bearer.substring("Bearer ".length());
    }

    /** A session whose create run has ended, so its next call goes out at once. */
    private String session(String token, int rank) throws Exception {
        var created = given().header("Authorization", token).contentType("application/json")
                .body("{\"base_model\":\"" + CheckpointsTest.BASE + "\",\"lora_config\":{\"rank\":" + rank + "}}")
                .post("/v1/training/sessions").then().statusCode(201).extract();
        String session = created.path("session_id");
        String create = created.path("created.future_id");
        awaitCommand(session, create);
        finish(session, create, Map.of(), "{\"type\":\"create_model\",\"model_id\":\"" + session + "\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> "completed".equals(future(token, create).path("status").asText()));
        return session;
    }

    private String call(String token, String session, String op, String args) {
        return given().header("Authorization", token).contentType("application/json").body("{\"args\":" + args + "}")
                .post("/v1/training/sessions/" + session + "/calls/" + op).then().statusCode(202).extract().path("future_id");
    }

    /** The refusal's message; its status and code are the code's. */
    private String refuse(String token, String session, String args, ErrorCode code) {
        return given().header("Authorization", token).contentType("application/json").body("{\"args\":" + args + "}")
                .post("/v1/training/sessions/" + session + "/calls/load_weights").then().statusCode(code.httpStatus())
                .body("code", equalTo(code.name())).extract().path("detail");
    }

    private JsonNode future(String token, String id) throws Exception {
        return Json.MAPPER.readTree(given().header("Authorization", token).get("/v1/training/futures/" + id).then().extract().asString());
    }

    private Checkpoint info(String token, String path) {
        return given().header("Authorization", token).queryParam("path", path).get("/v1/checkpoints/info").then().statusCode(200)
                .extract().as(Checkpoint.class);
    }

    private ConsumerRecord<String, String> awaitCommand(String session, String executionId) {
        await().atMost(Duration.ofSeconds(20)).until(() -> commandOf(session, executionId) != null);
        return commandOf(session, executionId);
    }

    private ConsumerRecord<String, String> commandOf(String session, String executionId) {
        for (var record : executor.poll(Duration.ofMillis(100))) {
            received.add(record);
        }
        return received.stream().filter(r -> session.equals(r.key()) && r.value().contains("\"" + executionId + "\"")).findFirst()
                .orElse(null);
    }

    /** Stores the files and output.json under the run's outputs and ends the run as the executor would. */
    private void finish(String session, String executionId, Map<String, byte[]> files, String result) throws Exception {
        String prefix = "/artifacts/training/" + session + "/" + executionId + "/";
        var all = new LinkedHashMap<>(files);
        all.put("output.json", result.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        var outputs = new ArrayList<OutputRef>();
        for (var e : all.entrySet()) {
            runs.put(prefix + e.getKey(), e.getValue());
            outputs.add(new OutputRef(prefix + e.getKey(), ContentId.of(e.getValue()), e.getValue().length, "application/octet-stream"));
        }
        end(executionId, Envelope.success(executionId, outputs, prefix + "outputs.json", meta()));
    }

    private void fail(String executionId) throws Exception {
        end(executionId, Envelope.error(executionId, ErrorCode.ERR_PROCESSOR_FAILED, "ValueError: disk full", null, meta()));
    }

    private static Envelope.Meta meta() {
        return new Envelope.Meta(CheckpointsTest.SESSION, Adapter.LOCAL, Mode.REAL, Platform.AMD64, 1, "sha256:" + "a".repeat(64), null,
                5L, 1L, null, null);
    }

    private static void end(String executionId, Envelope envelope) throws Exception {
        try (var producer = TestStack.producer()) {
            for (var event : List.of(RunEvent.of(executionId, 1, 1, null, new RunEvent.Started(ProcessorRef.parse(CheckpointsTest.SESSION),
                            Adapter.LOCAL, Mode.REAL, "sha256:" + "a".repeat(64), "sessckpt-test")),
                    RunEvent.of(executionId, 1, 2, null, RunEvent.terminal(envelope)))) {
                TestStack.send(producer, Topics.RUNS_EVENTS, executionId, Json.write(event));
            }
        }
    }

    private int count(String sql, String arg) throws Exception {
        try (var c = db.getConnection(); var ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static final Random RANDOM = new Random();

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
