package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Checkpoint;
import dev.hangar.contracts.ContentId;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.Presign;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunRequested;
import dev.hangar.contracts.Topics;
import dev.hangar.gateway.checkpoints.CheckpointSweeper;
import dev.hangar.gateway.client.StorageClient;
import dev.hangar.kit.testing.StackCredentials;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Training runs and checkpoints through the real gateway, Kafka, PostgreSQL, storage service and
 * S3; only the executor is played by the test (it stores what the trainer would write and sends
 * the run's events). Alice trains; Bob, with a valid token of his own, is the other owner.
 */
@QuarkusTest
@TestProfile(CheckpointsTest.Profile.class)
class CheckpointsTest {
    static final String ALICE = AuthTest.ALICE;
    static final String BOB = AuthTest.BOB;
    static final String TRAINER = "gwtest/ckpt-train-" + Long.toString(System.nanoTime(), 36) + "@1";
    static final String BASE = "gwtest/lm";
    static final String SAMPLER = "gwtest/ckpt-sample-" + Long.toString(System.nanoTime(), 36) + "@1";
    static final String SESSION = "gwtest/ckpt-session-" + Long.toString(System.nanoTime(), 36) + "@1";

    /** Auth on, a trainer for the test base model, this tree's storage service. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            var config = new LinkedHashMap<>(new AuthTest.Enabled().getConfigOverrides());
            config.put("hangar.gateway.models.\"" + BASE + "\".trainer", TRAINER);
            config.put("hangar.gateway.models.\"" + BASE + "\".sampler", SAMPLER);
            config.put("hangar.gateway.models.\"" + BASE + "\".session", SESSION);
            return config;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StorageProcess.class));
        }
    }

    @Inject
    @RestClient
    StorageClient storage;

    @Inject
    CheckpointSweeper sweeper;

    @ConfigProperty(name = "mp.messaging.outgoing.run-requests.topic")
    String requestsTopic;

    private static boolean registered;

    /** Once per JVM: TinkerApiTest plays the same trainer and sampler. */
    @BeforeAll
    static synchronized void register() throws Exception {
        if (!registered) {
            TestStack.register(TRAINER, "{\"type\":\"object\"}");
            TestStack.register(SAMPLER, "{\"type\":\"object\"}");
            TestStack.register(SESSION, "{\"type\":\"object\",\"required\":[\"session_id\",\"op\"]}");
            registered = true;
        }
    }

    /** What the trainer wrote, by path relative to the run's outputs folder. */
    record Trained(String runId, Map<String, byte[]> files) {}

    @Test
    void aTrainingRunsCheckpointsAreRegisteredAndOnlyItsOwnerManagesThem() throws Exception {
        Trained run = train(ALICE, "alice", 3);
        String sampler = "hangar://" + run.runId() + "/sampler_weights/step-3";
        String weights = "hangar://" + run.runId() + "/weights/final";

        var page = awaitCheckpoints(ALICE, run.runId(), 2);
        assertEquals(2, page.cursor().totalCount());
        Checkpoint info = given().header("Authorization", ALICE).queryParam("path", sampler).get("/v1/checkpoints/info")
                .then().statusCode(200).extract().as(Checkpoint.class);
        byte[] hlora = run.files().get("sampler_weights/step-3.hlora");
        assertEquals("alice", info.owner());
        assertEquals(BASE, info.baseModel());
        assertEquals(4, info.lora().rank());
        assertEquals(hlora.length, info.sizeBytes());
        assertEquals(false, info.isPublic());
        assertEquals("/artifacts/inputs/" + ContentId.of(hlora) + "/step-3.hlora", info.attachment(),
                "the .hlora is stored content-addressed too");
        try (var in = storage.open(info.attachment().substring("/artifacts/".length()))) {
            assertArrayEquals(hlora, in.readAllBytes());
        }
        long stateBytes = run.files().entrySet().stream().filter(e -> e.getKey().startsWith("weights/"))
                .mapToLong(e -> e.getValue().length).sum();
        given().header("Authorization", ALICE).queryParam("path", weights).get("/v1/checkpoints/info")
                .then().statusCode(200).body("size_bytes", equalTo((int) stateBytes)).body("attachment", nullValue());

        // Bob: not found, for reading and for everything an owner does
        given().header("Authorization", BOB).queryParam("path", sampler).get("/v1/checkpoints/info")
                .then().statusCode(404).body("code", equalTo("ERR_CHECKPOINT_NOT_FOUND"));
        for (String action : List.of("publish", "unpublish", "archive")) {
            given().header("Authorization", BOB).contentType("application/json").body(Json.write(new Checkpoint.Ref(sampler)))
                    .post("/v1/checkpoints/" + action).then().statusCode(404).body("code", equalTo("ERR_CHECKPOINT_NOT_FOUND"));
        }
        given().header("Authorization", BOB).contentType("application/json").body(Json.write(new Checkpoint.Ttl(sampler, 1L)))
                .put("/v1/checkpoints/ttl").then().statusCode(404);
        given().header("Authorization", BOB).queryParam("path", sampler).delete("/v1/checkpoints").then().statusCode(404);
        given().header("Authorization", BOB).get("/v1/checkpoints?run_id=" + run.runId()).then().statusCode(200)
                .body("cursor.total_count", equalTo(0));
        given().header("Authorization", BOB).get("/v1/training-runs/" + run.runId()).then().statusCode(404);

        // published: Bob reads it (and may start from it), still cannot manage it; unpublished: gone again
        post(ALICE, "publish", sampler).then().statusCode(200).body("public", equalTo(true));
        given().header("Authorization", BOB).queryParam("path", sampler).get("/v1/checkpoints/info").then().statusCode(200)
                .body("owner", equalTo("alice"));
        post(BOB, "unpublish", sampler).then().statusCode(404);
        given().header("Authorization", BOB).queryParam("path", sampler).delete("/v1/checkpoints").then().statusCode(404);
        post(ALICE, "unpublish", sampler).then().statusCode(200).body("public", equalTo(false));
        given().header("Authorization", BOB).queryParam("path", sampler).get("/v1/checkpoints/info").then().statusCode(404);

        // the training run, as `hangar runs` shows it
        given().header("Authorization", ALICE).get("/v1/training-runs/" + run.runId()).then().statusCode(200)
                .body("status", equalTo("success")).body("base_model", equalTo(BASE)).body("lora.rank", equalTo(4))
                .body("last_checkpoint", equalTo(sampler));

        // delete: the row and the bytes
        given().header("Authorization", ALICE).queryParam("path", weights).delete("/v1/checkpoints").then().statusCode(204);
        given().header("Authorization", ALICE).queryParam("path", weights).get("/v1/checkpoints/info").then().statusCode(404);
        String statePath = outputs(run.runId()) + "weights/final/adapter.pt";
        given().header("Authorization", ALICE).queryParam("path", weights).delete("/v1/checkpoints").then().statusCode(404);
        assertEquals(404, head(statePath));
    }

    @Test
    void listingPagesWithTinkersCursorAndZeroMeansAll() throws Exception {
        Trained run = train(ALICE, "alice", 6, 2); // step-2, step-4, step-6 and final
        awaitCheckpoints(ALICE, run.runId(), 4);
        var all = given().header("Authorization", ALICE).get("/v1/checkpoints?limit=0&run_id=" + run.runId())
                .then().statusCode(200).extract().as(Checkpoint.Page.class);
        assertEquals(4, all.checkpoints().size());
        assertEquals(new Checkpoint.Cursor(4, 0, 0), all.cursor());
        var second = given().header("Authorization", ALICE).get("/v1/checkpoints?limit=2&offset=2&run_id=" + run.runId())
                .then().statusCode(200).extract().as(Checkpoint.Page.class);
        assertEquals(new Checkpoint.Cursor(4, 2, 2), second.cursor());
        assertEquals(all.checkpoints().subList(2, 4), second.checkpoints());
        given().header("Authorization", ALICE).get("/v1/checkpoints?limit=-1").then().statusCode(400).body("code", equalTo("ERR_OPTION_INVALID"));
        given().header("Authorization", ALICE).get("/v1/checkpoints?offset=-3").then().statusCode(400);
        given().header("Authorization", ALICE).get("/v1/checkpoints?run_id=a%20b").then().statusCode(400)
                .body("code", equalTo("ERR_CHECKPOINT_PATH_INVALID"));
    }

    @Test
    void everyMalformedPathIsRefusedSayingWhatIsWrong() {
        given().header("Authorization", ALICE).queryParam("path", "hangar://r-1/adapters/x").get("/v1/checkpoints/info")
                .then().statusCode(400).body("code", equalTo("ERR_CHECKPOINT_PATH_INVALID")).body("detail", containsString("'adapters'"));
        given().header("Authorization", ALICE).get("/v1/checkpoints/info").then().statusCode(400).body("detail", containsString("required"));
        given().header("Authorization", ALICE).queryParam("path", "s3://x/weights/y").delete("/v1/checkpoints")
                .then().statusCode(400).body("detail", containsString("must start with hangar://"));
        given().header("Authorization", ALICE).queryParam("path", "hangar://run:with:colons/weights/nope").get("/v1/checkpoints/info")
                .then().statusCode(404).body("code", equalTo("ERR_CHECKPOINT_NOT_FOUND"));
    }

    @Test
    void anArchiveIsBuiltOnceForConcurrentRequestsAndHoldsTheCheckpoint() throws Exception {
        Trained run = train(ALICE, "alice", 2);
        String weights = "hangar://" + run.runId() + "/weights/final";
        awaitCheckpoints(ALICE, run.runId(), 2);
        List<Callable<Checkpoint.Archive>> asks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            asks.add(() -> post(ALICE, "archive", weights).then().statusCode(200).extract().as(Checkpoint.Archive.class));
        }
        List<Checkpoint.Archive> answers = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(6)) {
            for (var f : pool.invokeAll(asks)) {
                answers.add(f.get());
            }
        }
        assertEquals(1, answers.stream().map(Checkpoint.Archive::sha256).distinct().count(), "one build: " + answers);
        Checkpoint.Archive archive = answers.get(0);
        byte[] bytes;
        try (var http = HttpClient.newHttpClient()) {
            var got = http.send(HttpRequest.newBuilder(URI.create(archive.url())).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, got.statusCode());
            bytes = got.body();
        }
        assertEquals(archive.sha256(), HexFormat.of().formatHex(sha256(bytes)));
        assertEquals(archive.sizeBytes(), bytes.length);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (var tar = new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(bytes)))) {
            for (var e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.isFile()) {
                    entries.put(e.getName(), tar.readAllBytes());
                }
            }
        }
        assertEquals(List.of("final/adapter.pt", "final/adapter_config.json", "final/optimizer.pt", "final/train_state.json"),
                entries.keySet().stream().sorted().toList());
        assertArrayEquals(run.files().get("weights/final/optimizer.pt"), entries.get("final/optimizer.pt"));

        // a published checkpoint's archive is Bob's to download too; the same archive, not a rebuild
        post(ALICE, "publish", weights).then().statusCode(200);
        post(BOB, "archive", weights).then().statusCode(200).body("sha256", equalTo(archive.sha256()));
    }

    @Test
    void anExpiredCheckpointIsDeletedFromStorageAndTheTable() throws Exception {
        Trained run = train(ALICE, "alice", 1);
        String sampler = "hangar://" + run.runId() + "/sampler_weights/step-1";
        String weights = "hangar://" + run.runId() + "/weights/final";
        awaitCheckpoints(ALICE, run.runId(), 2);
        given().header("Authorization", ALICE).contentType("application/json").body(Json.write(new Checkpoint.Ttl(weights, 3600L)))
                .put("/v1/checkpoints/ttl").then().statusCode(200).body("expires_at", org.hamcrest.Matchers.notNullValue());
        given().header("Authorization", ALICE).contentType("application/json").body(Json.write(new Checkpoint.Ttl(weights, null)))
                .put("/v1/checkpoints/ttl").then().statusCode(200).body("expires_at", nullValue());
        given().header("Authorization", ALICE).contentType("application/json").body(Json.write(new Checkpoint.Ttl(weights, 0L)))
                .put("/v1/checkpoints/ttl").then().statusCode(400).body("code", equalTo("ERR_OPTION_INVALID"));
        Checkpoint kept = given().header("Authorization", ALICE).queryParam("path", sampler).get("/v1/checkpoints/info")
                .then().extract().as(Checkpoint.class);
        given().header("Authorization", ALICE).contentType("application/json").body(Json.write(new Checkpoint.Ttl(sampler, 1L)))
                .put("/v1/checkpoints/ttl").then().statusCode(200);
        String hlora = outputs(run.runId()) + "sampler_weights/step-1.hlora";
        assertEquals(200, head(hlora));
        await().atMost(Duration.ofSeconds(20)).until(() -> given().header("Authorization", ALICE).queryParam("path", sampler)
                .get("/v1/checkpoints/info").statusCode() == 404);
        assertEquals(404, head(hlora), "the sweeper deleted the file from S3");
        assertEquals(404, head(kept.attachment()), "and its content-addressed copy");
        given().header("Authorization", ALICE).queryParam("path", weights).get("/v1/checkpoints/info").then().statusCode(200);
    }

    @Test
    void startingATrainingRunIsCheckedLikeARunAndModelPathNeedsReadAccess() throws Exception {
        String dataset = upload(ALICE, "{\"text\":\"hello\"}\n");
        create(ALICE, Map.of("base_model", "nope/model", "dataset", dataset, "steps", 3)).then().statusCode(400)
                .body("code", equalTo("ERR_OPTION_INVALID")).body("detail", containsString(BASE));
        create(ALICE, Map.of("base_model", BASE, "steps", 3)).then().statusCode(400).body("detail", containsString("dataset is required"));
        create(ALICE, Map.of("base_model", BASE, "dataset", dataset, "steps", 10_001)).then().statusCode(400);
        create(BOB, Map.of("base_model", BASE, "dataset", dataset, "steps", 3)).then().statusCode(404)
                .body("code", equalTo("ERR_ARTIFACT_NOT_FOUND"));

        Trained run = train(ALICE, "alice", 2);
        String sampler = "hangar://" + run.runId() + "/sampler_weights/step-2";
        awaitCheckpoints(ALICE, run.runId(), 2);
        String attachment = given().header("Authorization", ALICE).queryParam("path", sampler).get("/v1/checkpoints/info")
                .then().extract().path("attachment");
        create(BOB, Map.of("model_path", sampler, "steps", 0)).then().statusCode(404).body("code", equalTo("ERR_CHECKPOINT_NOT_FOUND"));
        create(ALICE, Map.of("model_path", "hangar://" + run.runId() + "/weights/final", "steps", 0)).then().statusCode(400)
                .body("code", equalTo("ERR_CHECKPOINT_PATH_INVALID"));
        post(ALICE, "publish", sampler).then().statusCode(200);
        String saved = create(BOB, Map.of("model_path", sampler, "steps", 0)).then().statusCode(202)
                .body("base_model", equalTo(BASE)).body("lora.rank", equalTo(4)).extract().path("run_id");
        RunRequested command = command(saved);
        assertEquals(Map.of("adapter", attachment), command.attachments());
        assertEquals("{\"$attach\":\"adapter\"}", command.inputs().get("adapter").toString());
        assertEquals(0, command.inputs().get("steps").asInt());
    }

    @Test
    void samplingWithModelPathPassesTheCheckpointsAdapterToItsOwnerAndOnceItIsPublishedToOthers() throws Exception {
        Trained run = train(ALICE, "alice", 2);
        String sampler = "hangar://" + run.runId() + "/sampler_weights/step-2";
        awaitCheckpoints(ALICE, run.runId(), 2);
        String attachment = given().header("Authorization", ALICE).queryParam("path", sampler).get("/v1/checkpoints/info")
                .then().extract().path("attachment");
        var body = Map.of("model_path", sampler, "prompt_text", "Tower, Kilo 12, inbound for landing.");
        given().header("Authorization", BOB).contentType("application/json").body(Json.write(body)).post("/v1/sample?wait_ms=0")
                .then().statusCode(404).body("code", equalTo("ERR_CHECKPOINT_NOT_FOUND"));
        String mine = given().header("Authorization", ALICE).contentType("application/json").body(Json.write(body))
                .post("/v1/sample?wait_ms=0").then().statusCode(202).extract().path("execution_id");
        RunRequested command = command(mine);
        assertEquals(SAMPLER, command.ref().toString(), "the checkpoint's base model's sampler");
        assertEquals(Map.of("adapter", attachment), command.attachments());
        assertEquals("{\"$attach\":\"adapter\"}", command.inputs().get("adapter").toString());
        given().header("Authorization", ALICE).contentType("application/json")
                .body(Json.write(Map.of("model_path", sampler, "base_model", "hangar/tiny-lm", "prompt_text", "x")))
                .post("/v1/sample?wait_ms=0").then().statusCode(400).body("detail", containsString("was trained on " + BASE));
        given().header("Authorization", ALICE).contentType("application/json")
                .body(Json.write(Map.of("model_path", "hangar://" + run.runId() + "/weights/final", "prompt_text", "x")))
                .post("/v1/sample?wait_ms=0").then().statusCode(400).body("detail", containsString("/model_path"));
        post(ALICE, "publish", sampler).then().statusCode(200);
        String theirs = given().header("Authorization", BOB).contentType("application/json").body(Json.write(body))
                .post("/v1/sample?wait_ms=0").then().statusCode(202).extract().path("execution_id");
        assertEquals(Map.of("adapter", attachment), command(theirs).attachments());
        post(ALICE, "unpublish", sampler).then().statusCode(200);
        given().header("Authorization", BOB).contentType("application/json").body(Json.write(body)).post("/v1/sample?wait_ms=0")
                .then().statusCode(404);
    }

    // --- the executor's part, played by the test ---

    Trained train(String token, String owner, int steps) throws Exception {
        return train(token, owner, steps, 0);
    }

    /** Starts a training run, then stores what the trainer writes and ends the run with its envelope. */
    private Trained train(String token, String owner, int steps, int every) throws Exception {
        String dataset = upload(token, "{\"prompt\":\"Tower:\",\"completion\":\" cleared.\"}\n");
        var body = new LinkedHashMap<String, Object>(Map.of("base_model", BASE, "dataset", dataset, "steps", steps, "rank", 4));
        if (every > 0) {
            body.put("checkpoint_every", every);
        }
        String runId = create(token, body).then().statusCode(202).body("owner", equalTo(owner)).extract().path("run_id");
        RunRequested command = command(runId);
        assertEquals(Map.of("dataset", dataset), command.attachments());
        var files = new LinkedHashMap<String, byte[]>();
        var random = new Random(runId.hashCode());
        for (int s = every > 0 ? every : steps; s <= steps; s += every > 0 ? every : steps) {
            files.put("sampler_weights/step-" + s + ".hlora", bytes(random, 300 + s));
        }
        for (String f : List.of("adapter.pt", "adapter_config.json", "optimizer.pt", "train_state.json")) {
            files.put("weights/final/" + f, bytes(random, 100 + f.length()));
        }
        files.put("result.json", "{}".getBytes());
        files.put("sampler_weights/bad:id.hlora", bytes(random, 10)); // an id the path rules refuse: skipped, not fatal
        var outputs = new ArrayList<OutputRef>();
        String prefix = outputs(runId);
        for (var e : files.entrySet()) {
            put(prefix + e.getKey(), e.getValue());
            outputs.add(new OutputRef(prefix + e.getKey(), ContentId.of(e.getValue()), e.getValue().length, "application/octet-stream"));
        }
        var meta = new Envelope.Meta(TRAINER, Adapter.LOCAL, Mode.MOCK, Platform.AMD64, 1, "sha256:" + "a".repeat(64), null, 5L, 1L, null, null);
        var envelope = Envelope.success(runId, outputs, prefix + "outputs.json", meta);
        try (var producer = TestStack.producer()) {
            for (var event : List.of(RunEvent.of(runId, 1, 1, null, new RunEvent.Started(ProcessorRef.parse(TRAINER), Adapter.LOCAL, Mode.MOCK,
                            "sha256:" + "a".repeat(64), "ckpt-test")),
                    RunEvent.of(runId, 1, 2, null, new RunEvent.Progress(1.0, "step " + steps + "/" + steps + " loss 1.5")),
                    RunEvent.of(runId, 1, 3, null, RunEvent.terminal(envelope)))) {
                producer.send(new ProducerRecord<>(Topics.RUNS_EVENTS, runId, Json.write(event))).get();
            }
        }
        return new Trained(runId, files);
    }

    private static String outputs(String runId) {
        return dev.hangar.contracts.WritePrefix.resolve(dev.hangar.contracts.WritePrefix.DEFAULT, ProcessorRef.parse(TRAINER), runId);
    }

    RunRequested command(String runId) {
        var props = new Properties();
        props.putAll(StackCredentials.kafka());
        props.putAll(Map.of("group.id", "ckpt-test-" + runId, "auto.offset.reset", "earliest",
                "key.deserializer", StringDeserializer.class.getName(), "value.deserializer", StringDeserializer.class.getName()));
        try (var consumer = new KafkaConsumer<String, String>(props)) {
            consumer.subscribe(List.of(requestsTopic));
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < until) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (runId.equals(record.key())) {
                        return Json.read(record.value(), RunRequested.class);
                    }
                }
            }
        }
        throw new AssertionError("no command for " + runId + " on " + requestsTopic);
    }

    Checkpoint.Page awaitCheckpoints(String token, String runId, int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> given().header("Authorization", token).get("/v1/checkpoints?run_id=" + runId)
                .then().extract().as(Checkpoint.Page.class).checkpoints().size() == count);
        return given().header("Authorization", token).get("/v1/checkpoints?run_id=" + runId).then().extract().as(Checkpoint.Page.class);
    }

    private static io.restassured.response.Response create(String token, Map<String, ?> body) {
        return given().header("Authorization", token).contentType("application/json").body(Json.write(body)).post("/v1/training-runs");
    }

    private static io.restassured.response.Response post(String token, String action, String path) {
        return given().header("Authorization", token).contentType("application/json").body(Json.write(new Checkpoint.Ref(path)))
                .post("/v1/checkpoints/" + action);
    }

    private static String upload(String token, String text) {
        return given().header("Authorization", token).contentType("application/octet-stream")
                .body((text + "{\"text\":\"unique " + System.nanoTime() + "\"}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/v1/attachments?filename=data.jsonl").then().statusCode(201).extract().path("path");
    }

    void put(String path, byte[] bytes) throws Exception {
        String url = storage.presign(new Presign.Request(path, "PUT", 60)).url();
        try (var http = HttpClient.newHttpClient()) {
            var answer = http.send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
        }
    }

    private static int head(String artefactPath) throws Exception {
        try (var http = HttpClient.newHttpClient()) {
            var key = dev.hangar.contracts.ArtifactPath.toKey(artefactPath);
            var req = HttpRequest.newBuilder(URI.create(StorageProcess.url + "/v1/artifacts/" + key.replace(":", "%3A")))
                    .header(dev.hangar.contracts.InternalAuth.TOKEN_HEADER, StackCredentials.internalToken())
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
            return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    static byte[] sha256(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }
}
