package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunRequested;
import dev.hangar.contracts.Topics;
import dev.hangar.gateway.client.StorageClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tinker's sampling, training-run and checkpoint endpoints under {@code /api/v1}
 * (docs/tinker-api.md) and create_session's idempotency, through the real gateway, Kafka,
 * PostgreSQL, storage service and S3. The executor is played as in {@link CheckpointsTest} (same
 * profile, trainer and sampler). Alice owns; Bob, with a valid key of his own, plays the attacker.
 */
@QuarkusTest
@TestProfile(CheckpointsTest.Profile.class)
class TinkerApiTest {
    static final String ALICE = AuthTest.ALICE.substring("Bearer ".length());
    static final String BOB = AuthTest.BOB.substring("Bearer ".length());

    @Inject
    @RestClient
    StorageClient storage;

    @ConfigProperty(name = "mp.messaging.outgoing.run-requests.topic")
    String requestsTopic;

    @BeforeAll
    static void register() throws Exception {
        CheckpointsTest.register();
    }

    @Test
    void createSessionWithTheSameIdempotencyKeyIsTheSameSessionForItsOwnerOnly() {
        String key = "retry-" + System.nanoTime() + " with spaces/and:anything";
        String first = createSession(ALICE, key);
        assertEquals(first, createSession(ALICE, key), "a retried create_session returns the first session");
        String bobs = createSession(BOB, key);
        assertNotEquals(first, bobs, "another owner's same key is another session");
        assertNotEquals(createSession(ALICE, null), createSession(ALICE, null), "without a key every create is new");
        heartbeat(BOB, first).then().statusCode(404).body("code", equalTo("ERR_SESSION_NOT_FOUND"));
        heartbeat(ALICE, first).then().statusCode(200).body("type", equalTo("session_heartbeat"));
        heartbeat(ALICE, bobs).then().statusCode(404);
    }

    @Test
    void aSamplingSessionOnACheckpointSamplesThroughAsampleAndRetrieveFuture() throws Exception {
        var trainer = trainer();
        var run = trainer.train(AuthTest.ALICE, "alice", 2);
        trainer.awaitCheckpoints(AuthTest.ALICE, run.runId(), 2);
        String sampler = "tinker://" + run.runId() + "/sampler_weights/step-2";
        String attachment = given().header("Authorization", AuthTest.ALICE).queryParam("path", sampler.replace("tinker://", "hangar://"))
                .get("/v1/checkpoints/info").then().statusCode(200).extract().path("attachment");
        String aliceSession = createSession(ALICE, null);
        String bobSession = createSession(BOB, null);

        // refusals: each with its code, and none makes a sampling session
        samplingSession(BOB, bobSession, 0, Map.of("model_path", sampler)).then().statusCode(404)
                .body("code", equalTo("ERR_CHECKPOINT_NOT_FOUND"));
        samplingSession(BOB, aliceSession, 0, Map.of("base_model", CheckpointsTest.BASE)).then().statusCode(404)
                .body("code", equalTo("ERR_SESSION_NOT_FOUND"));
        samplingSession(ALICE, aliceSession, 0, Map.of("model_path", "tinker://" + run.runId() + "/weights/final")).then()
                .statusCode(400).body("code", equalTo("ERR_CHECKPOINT_PATH_INVALID"));
        samplingSession(ALICE, aliceSession, 0, Map.of("model_path", "tinker://" + run.runId() + "/adapters/step-2")).then()
                .statusCode(400).body("code", equalTo("ERR_CHECKPOINT_PATH_INVALID")).body("detail", containsString("'adapters'"));
        samplingSession(ALICE, aliceSession, 0, Map.of("model_path", "s3://bucket/x")).then().statusCode(400)
                .body("code", equalTo("ERR_CHECKPOINT_PATH_INVALID"));
        samplingSession(ALICE, aliceSession, 0, Map.of("base_model", "nobody/none")).then().statusCode(404)
                .body("code", equalTo("ERR_MODEL_NOT_FOUND")).body("detail", containsString(CheckpointsTest.BASE));
        samplingSession(ALICE, aliceSession, 0, Map.of("base_model", "hangar/tiny-lm", "model_path", sampler)).then()
                .statusCode(400).body("code", equalTo("ERR_SAMPLE_INVALID")).body("detail", containsString("was trained on"));

        String id = samplingSession(ALICE, aliceSession, 0, Map.of("model_path", sampler)).then().statusCode(200)
                .body("type", equalTo("create_sampling_session")).extract().path("sampling_session_id");
        assertEquals(id, samplingSession(ALICE, aliceSession, 0, Map.of("model_path", sampler)).then().statusCode(200)
                .extract().path("sampling_session_id"), "the same seq id of the same session: the same sampling session");

        String sample = """
                {"sampling_session_id":"%s","seq_id":0,"num_samples":1,
                 "prompt":{"chunks":[{"type":"encoded_text","tokens":[1,7]}]},
                 "sampling_params":{"max_tokens":3,"temperature":0,"seed":3},"prompt_logprobs":true}""".formatted(id);
        asample(BOB, sample).then().statusCode(404).body("code", equalTo("ERR_SESSION_NOT_FOUND"));
        asample(ALICE, "{\"sampling_session_id\":\"" + id + "\",\"prompt\":{\"chunks\":[]},\"sampling_params\":{}}")
                .then().statusCode(400).body("code", equalTo("ERR_SAMPLE_INVALID"));
        String requestId = asample(ALICE, sample).then().statusCode(200).extract().path("request_id");
        RunRequested command = trainer.command(requestId);
        assertEquals(CheckpointsTest.SAMPLER, command.ref().toString(), "the checkpoint's base model's sampler");
        assertEquals(Map.of("adapter", attachment), command.attachments());
        assertEquals(Json.MAPPER.readTree("""
                {"prompt_tokens":[1,7],"max_tokens":3,"temperature":0.0,"top_k":-1,"top_p":1.0,"seed":3,"num_samples":1,
                 "prompt_logprobs":true,"topk_prompt_logprobs":0,"adapter":{"$attach":"adapter"}}"""), command.inputs());

        retrieve(ALICE, requestId).then().statusCode(200).body("type", equalTo("try_again")).body("request_id", equalTo(requestId))
                .body("retry_after_ms", notNullValue());
        retrieve(BOB, requestId).then().statusCode(404).body("code", equalTo("ERR_SESSION_NOT_FOUND"));
        end(requestId, """
                {"sequences":[{"tokens":[5,6,2],"logprobs":[-0.5,-1.5,-0.25],"stop_reason":"stop","text":" hi"}],
                 "prompt_logprobs":[null,-2.5],"topk_prompt_logprobs":null,"type":"sample"}""");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
                "sample".equals(retrieve(ALICE, requestId).then().extract().path("type")));
        JsonNode done = Json.MAPPER.readTree(retrieve(ALICE, requestId).then().statusCode(200).extract().asString());
        assertEquals(Json.MAPPER.readTree("[{\"tokens\":[5,6,2],\"logprobs\":[-0.5,-1.5,-0.25],\"stop_reason\":\"stop\",\"text\":\" hi\"}]"),
                done.path("sequences"));
        assertEquals(Json.MAPPER.readTree("[null,-2.5]"), done.path("prompt_logprobs"));
        retrieve(BOB, requestId).then().statusCode(404);

        // the same x-idempotency-key: the same future, not a second run
        String again = given().header("x-api-key", ALICE).header("x-idempotency-key", "k " + requestId).contentType("application/json")
                .body(sample).post("/api/v1/asample").then().statusCode(200).extract().path("request_id");
        assertEquals(again, given().header("x-api-key", ALICE).header("x-idempotency-key", "k " + requestId)
                .contentType("application/json").body(sample).post("/api/v1/asample").then().extract().path("request_id"));
        assertNotEquals(requestId, again);

        // a base model directly, without a session
        asample(ALICE, "{\"base_model\":\"" + CheckpointsTest.BASE + "\",\"prompt\":{\"chunks\":[{\"type\":\"encoded_text\","
                + "\"tokens\":[1]}]},\"sampling_params\":{}}").then().statusCode(200).body("request_id", notNullValue());
    }

    @Test
    void trainingRunsAndCheckpointsInTinkersShapesAndOnlyForTheirOwner() throws Exception {
        var trainer = trainer();
        var run = trainer.train(AuthTest.ALICE, "alice", 3);
        trainer.awaitCheckpoints(AuthTest.ALICE, run.runId(), 2);
        String ckpts = "/api/v1/training_runs/" + run.runId() + "/checkpoints/";

        given().header("x-api-key", ALICE).get("/api/v1/training_runs/" + run.runId()).then().statusCode(200)
                .body("training_run_id", equalTo(run.runId())).body("model_owner", equalTo("alice"))
                .body("base_model", equalTo(CheckpointsTest.BASE)).body("is_lora", equalTo(true)).body("lora_rank", equalTo(4))
                .body("last_sampler_checkpoint.tinker_path", equalTo("tinker://" + run.runId() + "/sampler_weights/step-3"))
                .body("last_sampler_checkpoint.checkpoint_id", equalTo("sampler_weights/step-3"))
                .body("last_sampler_checkpoint.checkpoint_type", equalTo("sampler"))
                .body("last_checkpoint.checkpoint_id", equalTo("weights/final"))
                .body("last_checkpoint.checkpoint_type", equalTo("training"));
        given().header("x-api-key", ALICE).get("/api/v1/training_runs?limit=1&offset=0").then().statusCode(200)
                .body("training_runs.size()", equalTo(1)).body("cursor.limit", equalTo(1)).body("cursor.offset", equalTo(0))
                .body("training_runs[0].training_run_id", equalTo(run.runId()));
        int total = given().header("x-api-key", ALICE).get("/api/v1/training_runs").then().statusCode(200)
                .body("cursor.limit", equalTo(20)).extract().path("cursor.total_count");
        given().header("x-api-key", ALICE).get("/api/v1/training_runs?offset=" + total).then().statusCode(200)
                .body("training_runs.size()", equalTo(0)).body("cursor.total_count", equalTo(total));
        given().header("x-api-key", BOB).get("/api/v1/training_runs").then().statusCode(200)
                .body("training_runs.training_run_id", not(hasItem(run.runId())));
        given().header("x-api-key", BOB).get("/api/v1/training_runs/" + run.runId()).then().statusCode(404)
                .body("code", equalTo("ERR_RUN_NOT_FOUND"));
        given().header("x-api-key", BOB).get("/api/v1/training_runs/" + run.runId() + "/checkpoints").then().statusCode(404);
        for (String cursor : List.of("limit=abc", "offset=-1", "limit=-2", "limit=100001", "offset=1e3")) {
            given().header("x-api-key", ALICE).get("/api/v1/training_runs?" + cursor).then().statusCode(400)
                    .contentType("application/problem+json").body("code", equalTo("ERR_OPTION_INVALID"));
            given().header("x-api-key", ALICE).get("/api/v1/checkpoints?" + cursor).then().statusCode(400)
                    .body("code", equalTo("ERR_OPTION_INVALID"));
        }
        given().get("/api/v1/training_runs").then().statusCode(401);
        given().header("x-api-key", "not-a-key").get("/api/v1/checkpoints").then().statusCode(401);

        given().header("x-api-key", ALICE).get("/api/v1/training_runs/" + run.runId() + "/checkpoints").then().statusCode(200)
                .body("checkpoints.checkpoint_id", equalTo(List.of("sampler_weights/step-3", "weights/final")))
                .body("checkpoints[0].public", equalTo(false)).body("checkpoints[0].training_run_id", equalTo(run.runId()));
        given().header("x-api-key", ALICE).get("/api/v1/models/" + run.runId() + "/checkpoints").then().statusCode(200)
                .body("checkpoints.size()", equalTo(2));
        given().header("x-api-key", ALICE).get("/api/v1/checkpoints?limit=1").then().statusCode(200)
                .body("checkpoints.size()", equalTo(1)).body("cursor.limit", equalTo(1)).body("cursor.total_count", notNullValue());
        given().header("x-api-key", BOB).get("/api/v1/checkpoints?limit=0").then().statusCode(200)
                .body("checkpoints.training_run_id", not(hasItem(run.runId())));

        // bad paths: the part that is wrong, 400, before any lookup
        given().header("x-api-key", ALICE).post(ckpts + "adapters/step-3/publish").then().statusCode(400)
                .body("code", equalTo("ERR_CHECKPOINT_PATH_INVALID")).body("detail", containsString("'adapters'"));
        given().header("x-api-key", ALICE).post("/api/v1/training_runs/r%20x/checkpoints/weights/final/publish").then()
                .statusCode(400).body("code", equalTo("ERR_CHECKPOINT_PATH_INVALID"));

        // Bob: 404 for everything an owner does, and for reading it unpublished
        for (var call : List.<java.util.function.Function<io.restassured.specification.RequestSpecification, Response>>of(
                r -> r.post(ckpts + "sampler_weights/step-3/publish"), r -> r.delete(ckpts + "sampler_weights/step-3/publish"),
                r -> r.contentType("application/json").body("{\"ttl_seconds\":60}").put(ckpts + "sampler_weights/step-3/ttl"),
                r -> r.redirects().follow(false).get(ckpts + "sampler_weights/step-3/archive"),
                r -> r.delete(ckpts + "sampler_weights/step-3"))) {
            call.apply(given().header("x-api-key", BOB)).then().statusCode(404).body("code", equalTo("ERR_CHECKPOINT_NOT_FOUND"));
        }

        given().header("x-api-key", ALICE).post(ckpts + "sampler_weights/step-3/publish").then().statusCode(204);
        given().header("x-api-key", ALICE).get(ckpts.replace("/checkpoints/", "/checkpoints")).then()
                .body("checkpoints.find { it.checkpoint_id == 'sampler_weights/step-3' }.public", equalTo(true));
        Response archive = given().header("x-api-key", BOB).redirects().follow(false).get(ckpts + "sampler_weights/step-3/archive");
        assertEquals(302, archive.statusCode(), archive.asString());
        String location = archive.header("Location");
        assertEquals(location, archive.jsonPath().getString("url"));
        assertTrue(archive.header("Expires").endsWith("GMT"), archive.header("Expires"));
        try (var http = HttpClient.newHttpClient()) {
            var bytes = http.send(HttpRequest.newBuilder(URI.create(location)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, bytes.statusCode());
            assertEquals(0x1f, bytes.body()[0] & 0xff, "a gzip archive");
        }
        given().header("x-api-key", BOB).post(ckpts + "sampler_weights/step-3/publish").then().statusCode(404);
        given().header("x-api-key", ALICE).delete(ckpts + "sampler_weights/step-3/publish").then().statusCode(204);
        given().header("x-api-key", BOB).redirects().follow(false).get(ckpts + "sampler_weights/step-3/archive").then().statusCode(404);

        given().header("x-api-key", ALICE).contentType("application/json").body("{\"ttl_seconds\":3600}")
                .put(ckpts + "weights/final/ttl").then().statusCode(204);
        given().header("x-api-key", ALICE).get("/api/v1/training_runs/" + run.runId() + "/checkpoints").then()
                .body("checkpoints.find { it.checkpoint_id == 'weights/final' }.expires_at", notNullValue());
        given().header("x-api-key", ALICE).contentType("application/json").body("{\"ttl_seconds\":null}")
                .put(ckpts + "weights/final/ttl").then().statusCode(204);
        given().header("x-api-key", ALICE).get("/api/v1/training_runs/" + run.runId() + "/checkpoints").then()
                .body("checkpoints.find { it.checkpoint_id == 'weights/final' }.expires_at", nullValue());
        given().header("x-api-key", ALICE).contentType("application/json").body("{\"ttl_seconds\":0}")
                .put(ckpts + "weights/final/ttl").then().statusCode(400).body("code", equalTo("ERR_OPTION_INVALID"));

        given().header("x-api-key", ALICE).delete(ckpts + "weights/final").then().statusCode(204);
        given().header("x-api-key", ALICE).delete(ckpts + "weights/final").then().statusCode(404)
                .body("code", equalTo("ERR_CHECKPOINT_NOT_FOUND"));
        given().header("x-api-key", ALICE).get("/api/v1/training_runs/" + run.runId()).then().statusCode(200)
                .body("last_checkpoint", nullValue());
    }

    // ---- the client's calls

    private static String createSession(String key, String idempotencyKey) {
        var request = given().header("x-api-key", key).contentType("application/json");
        if (idempotencyKey != null) {
            request = request.header("x-idempotency-key", idempotencyKey);
        }
        return request.body("{\"tags\":[\"t\"],\"sdk_version\":\"0.3.0\",\"type\":\"create_session\"}").post("/api/v1/create_session")
                .then().statusCode(200).body("type", equalTo("create_session")).extract().path("session_id");
    }

    private static Response heartbeat(String key, String session) {
        return given().header("x-api-key", key).contentType("application/json").body("{\"session_id\":\"" + session + "\"}")
                .post("/api/v1/session_heartbeat");
    }

    private static Response samplingSession(String key, String session, int seq, Map<String, String> target) {
        var body = new java.util.LinkedHashMap<String, Object>(target);
        body.put("session_id", session);
        body.put("sampling_session_seq_id", seq);
        body.put("type", "create_sampling_session");
        return given().header("x-api-key", key).contentType("application/json").body(Json.write(body))
                .post("/api/v1/create_sampling_session");
    }

    private static Response asample(String key, String body) {
        return given().header("x-api-key", key).contentType("application/json").body(body).post("/api/v1/asample");
    }

    private static Response retrieve(String key, String requestId) {
        return given().header("x-api-key", key).contentType("application/json").body("{\"request_id\":\"" + requestId + "\"}")
                .post("/api/v1/retrieve_future");
    }

    // ---- the executor's part

    private CheckpointsTest trainer() {
        var trainer = new CheckpointsTest();
        trainer.storage = storage;
        trainer.requestsTopic = requestsTopic;
        return trainer;
    }

    /** Ends the sampling run as the executor would: its output.json stored, then its events. */
    private void end(String runId, String output) throws Exception {
        OutputRef stored = Json.read(given().header("Authorization", AuthTest.ALICE).contentType("application/octet-stream")
                .queryParam("filename", "output.json").body(output.getBytes()).post("/v1/attachments").then().statusCode(201)
                .extract().asString(), OutputRef.class);
        String ref = CheckpointsTest.SAMPLER;
        try (var producer = TestStack.producer()) {
            TestStack.send(producer, Topics.RUNS_EVENTS, runId, Json.write(RunEvent.of(runId, 1, 1, null, new RunEvent.Started(
                    ProcessorRef.parse(ref), Adapter.LOCAL, Mode.REAL, "sha256:" + "a".repeat(64), "t"))));
            var meta = new Envelope.Meta(ref, Adapter.LOCAL, Mode.REAL, Platform.AMD64, 1, "sha256:" + "a".repeat(64), null, 5L, 1L, null, null);
            TestStack.send(producer, Topics.RUNS_EVENTS, runId, Json.write(RunEvent.of(runId, 1, 2, null,
                    new RunEvent.Completed(Envelope.success(runId, List.of(stored), "/artifacts/x/outputs.json", meta)))));
        }
    }
}
