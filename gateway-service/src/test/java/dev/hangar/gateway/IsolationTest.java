package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.InternalAuth;
import dev.hangar.contracts.Topics;
import dev.hangar.gateway.internal.InternalServer;
import dev.hangar.kit.testing.StackCredentials;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hostile tenant, with a valid token of its own (bob), against everything alice has: her
 * uploads, her runs' outputs, runs nobody owns, the all-runs stream, the bus entry, the internal
 * port. Bob gets 404 (or nothing) every time; alice gets her own.
 */
@QuarkusTest
@TestProfile(AuthTest.Enabled.class)
class IsolationTest {
    static final String ALICE = AuthTest.ALICE;
    static final String BOB = AuthTest.BOB;
    static final String REF = "gwtest/iso-" + Long.toString(System.nanoTime(), 36) + "@1";

    @TestHTTPResource("/")
    URI base;

    @Inject
    AgroalDataSource db;

    @Inject
    InternalServer internal;

    @Inject
    @org.eclipse.microprofile.rest.client.inject.RestClient
    dev.hangar.gateway.client.StorageClient storage;

    @ConfigProperty(name = "mp.messaging.incoming.run-submissions.topic")
    String submitTopic;

    @ConfigProperty(name = "mp.messaging.outgoing.run-submissions-dlq.topic")
    String submitDlq;

    @ConfigProperty(name = "hangar.gateway.internal-token")
    String internalToken;

    @BeforeAll
    static void register() throws Exception {
        TestStack.register(REF, RunResourceTest.SCHEMA);
    }

    @Test
    void anAttachmentIsReadableAndUsableOnlyByWhoUploadedIt() {
        byte[] bytes = ("alice's notes " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        String path = given().header("Authorization", ALICE).contentType("application/octet-stream").body(bytes)
                .post("/v1/attachments?filename=notes.txt").then().statusCode(201).extract().path("path");
        String rel = path.substring("/artifacts/".length());
        given().header("Authorization", ALICE).redirects().follow(false).get("/v1/artifacts/" + rel).then().statusCode(307);
        given().header("Authorization", BOB).redirects().follow(false).get("/v1/artifacts/" + rel)
                .then().statusCode(404).body("code", equalTo("ERR_ARTIFACT_NOT_FOUND"));
        given().header("Authorization", BOB).contentType("application/json")
                .body("{\"ref\":\"" + REF + "\",\"inputs\":{\"text\":{\"$attach\":\"n\"}},\"attachments\":{\"n\":\"" + path + "\"}}")
                .post("/v1/runs").then().statusCode(404).body("code", equalTo("ERR_ARTIFACT_NOT_FOUND"));
    }

    @Test
    void aRunsOutputsAreReadableOnlyByItsOwner() throws Exception {
        String id = "r-iso" + Long.toString(System.nanoTime(), 36);
        String output = "/artifacts/outputs/iso/" + id + "/output.json";
        insertRun(id, "alice", "{\"status\":\"success\",\"execution_id\":\"" + id + "\",\"outputs\":[{\"path\":\"" + output
                + "\",\"cid\":\"sha256:" + "a".repeat(64) + "\",\"size_bytes\":2,\"mime\":\"application/json\"}],"
                + "\"index_path\":\"/artifacts/outputs/iso/" + id + "/outputs.json\"}");
        for (String p : List.of(output, "/artifacts/outputs/iso/" + id + "/outputs.json")) {
            store(p);
            String rel = p.substring("/artifacts/".length());
            given().header("Authorization", ALICE).redirects().follow(false).get("/v1/artifacts/" + rel).then().statusCode(307);
            given().header("Authorization", BOB).redirects().follow(false).get("/v1/artifacts/" + rel)
                    .then().statusCode(404).body("code", equalTo("ERR_ARTIFACT_NOT_FOUND"));
        }
        given().header("Authorization", ALICE).redirects().follow(false).get("/v1/artifacts/outputs/iso/" + id + "/other.bin")
                .then().statusCode(404);
    }

    @Test
    void aRunWithoutAnOwnerIsNobodysNotEverybodys() throws Exception {
        String id = "r-noowner" + Long.toString(System.nanoTime(), 36);
        insertRun(id, null, null);
        for (String who : List.of(ALICE, BOB)) {
            given().header("Authorization", who).get("/v1/runs/" + id).then().statusCode(404).body("code", equalTo("ERR_RUN_NOT_FOUND"));
            given().header("Authorization", who).get("/v1/runs?limit=1000").then().statusCode(200).body("execution_id", not(hasItem(id)));
        }
        var stream = RunStreamSocketTest.Frames.connectTo(URI.create(base.toString().replaceFirst("^http", "ws") + "v1/runs/stream"),
                Map.of("Authorization", BOB));
        String mine = "r-bobs" + Long.toString(System.nanoTime(), 36);
        insertRun(mine, "bob", null);
        try (var producer = TestStack.producer()) {
            for (String run : List.of(id, mine)) {
                producer.send(new ProducerRecord<>(Topics.RUNS_EVENTS, run, "{\"schema_version\":1,\"execution_id\":\"" + run
                        + "\",\"attempt\":1,\"seq\":1,\"created_at\":\"2026-12-01T11:00:00Z\",\"event\":{\"type\":\"log\","
                        + "\"stream\":\"stdout\",\"line\":\"hello\"}}")).get();
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> stream.frames.stream()
                .anyMatch(f -> f.path("execution_id").asText().equals(mine)));
        assertTrue(stream.frames.stream().noneMatch(f -> f.path("execution_id").asText().equals(id)),
                "the all-runs stream shows no run without an owner: " + stream.frames);
    }

    @Test
    void theBusEntrySubmitsAsTheTokensOwnerAndDeadLettersEverythingElse() throws Exception {
        String key = "iso-" + UUID.randomUUID();
        String request = "{\"ref\":\"" + REF + "\",\"inputs\":{\"text\":\"from the bus\"}}";
        try (var producer = TestStack.producer(); var dlq = consumer(submitDlq)) {
            var good = new ProducerRecord<>(submitTopic, key, request);
            good.headers().add(Topics.AUTHORIZATION_HEADER, ("Bearer " + ALICE.substring(7)).getBytes(StandardCharsets.UTF_8));
            producer.send(good).get();
            var forged = new ProducerRecord<>(submitTopic, key + "-forged", request);
            forged.headers().add(Topics.AUTHORIZATION_HEADER, "Bearer not-a-token".getBytes(StandardCharsets.UTF_8));
            producer.send(forged).get();
            producer.send(new ProducerRecord<>(submitTopic, key + "-anonymous", request)).get();
            var bad = new ProducerRecord<>(submitTopic, key + "-bad", "{\"ref\":\"nope\"}");
            bad.headers().add(Topics.AUTHORIZATION_HEADER, ("Bearer " + BOB.substring(7)).getBytes(StandardCharsets.UTF_8));
            producer.send(bad).get();

            await().atMost(Duration.ofSeconds(30)).until(() -> idempotent("alice", key) != null);
            given().header("Authorization", ALICE).get("/v1/runs/" + idempotent("alice", key)).then().statusCode(200);
            given().header("Authorization", BOB).get("/v1/runs/" + idempotent("alice", key)).then().statusCode(404);

            var reasons = new java.util.HashMap<String, String>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (var r : dlq.poll(Duration.ofMillis(500))) {
                    assertNull(r.headers().lastHeader(Topics.AUTHORIZATION_HEADER), "no token in the dead-letter topic");
                    reasons.put(r.key(), new String(r.headers().lastHeader(Topics.DLQ_REASON_HEADER).value(), StandardCharsets.UTF_8));
                }
                return reasons.size() >= 3;
            });
            assertTrue(reasons.get(key + "-forged").startsWith("ERR_UNAUTHORIZED"), reasons.toString());
            assertTrue(reasons.get(key + "-anonymous").startsWith("ERR_UNAUTHORIZED"), reasons.toString());
            assertTrue(reasons.get(key + "-bad").startsWith("ERR_REF_INVALID"), reasons.toString());
            assertFalse(reasons.containsKey(key), reasons.toString());
            assertNull(idempotent("bob", key + "-bad"));
        }
    }

    @Test
    void internalEndpointsAreOnlyOnTheInternalPortAndOnlyWithTheToken() throws Exception {
        String lookup = "{\"execution_id\":\"r-none\",\"names\":[\"X\"]}";
        given().header(InternalAuth.TOKEN_HEADER, internalToken).contentType("application/json").body(lookup)
                .post("/internal/v1/secrets").then().statusCode(404);
        given().header("Authorization", ALICE).header(InternalAuth.TOKEN_HEADER, internalToken).contentType("application/json")
                .body(lookup).post("/internal/v1/secrets").then().statusCode(404);
        String inside = "http://127.0.0.1:" + internal.port();
        given().baseUri(inside).port(internal.port()).contentType("application/json").body(lookup).post("/internal/v1/secrets")
                .then().statusCode(401).body("code", equalTo("ERR_INTERNAL_UNAUTHORIZED"));
        given().baseUri(inside).port(internal.port()).header(InternalAuth.TOKEN_HEADER, "guess").contentType("application/json")
                .body(lookup).post("/internal/v1/secrets").then().statusCode(401);
        given().baseUri(inside).port(internal.port()).header(InternalAuth.TOKEN_HEADER, internalToken).contentType("application/json")
                .body(lookup).post("/internal/v1/secrets").then().statusCode(200).body("values.size()", equalTo(0));
        given().baseUri(inside).port(internal.port()).header(InternalAuth.TOKEN_HEADER, internalToken).header("Authorization", ALICE)
                .get("/v1/runs").then().statusCode(404);
    }

    /** Puts a small object at {@code path} through the storage service, as an executor's upload would. */
    private void store(String path) throws Exception {
        var url = storage.presign(new dev.hangar.contracts.Presign.Request(path, "PUT", 60)).url();
        try (var http = java.net.http.HttpClient.newHttpClient()) {
            var answer = http.send(java.net.http.HttpRequest.newBuilder(URI.create(url))
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
        }
    }

    private void insertRun(String id, String owner, String envelope) throws Exception {
        try (var c = db.getConnection(); var ps = c.prepareStatement("INSERT INTO runs (execution_id, ref, adapter, mode, status, "
                + "envelope, owner) VALUES (?, ?, 'local', 'mock', ?, ?::jsonb, ?)")) {
            ps.setString(1, id);
            ps.setString(2, REF);
            ps.setString(3, envelope == null ? "running" : "success");
            ps.setString(4, envelope);
            ps.setString(5, owner);
            ps.executeUpdate();
        }
    }

    private String idempotent(String owner, String key) throws Exception {
        try (var c = db.getConnection(); var ps = c.prepareStatement("SELECT execution_id FROM runs WHERE owner = ? AND idempotency_key = ?")) {
            ps.setString(1, owner);
            ps.setString(2, key);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static KafkaConsumer<String, String> consumer(String topic) {
        var props = new Properties();
        props.putAll(StackCredentials.kafka());
        props.putAll(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "iso-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()));
        var consumer = new KafkaConsumer<String, String>(props);
        consumer.subscribe(List.of(topic));
        return consumer;
    }
}
