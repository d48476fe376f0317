package dev.hangar.gateway.deploy;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.InternalAuth;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.gateway.internal.InternalServer;
import dev.hangar.kit.testing.StackCredentials;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * /v1/deployments against this tree's registry and the real Kafka: deploy by digest publishes the
 * command, executor events move the status, another owner gets 403 everywhere, and an
 * environment's secrets are synced (check changes nothing, prune removes), reach a real-mode run
 * in that environment only, and never show in a response, the bus or the log.
 */
@QuarkusTest
@TestProfile(OwnRegistry.class)
class DeploymentsIT {
    static final String ALICE = "Bearer alice-token-for-tests";
    static final String BOB = "Bearer bob-token-for-tests";
    static final String NS = "dep" + Long.toString(System.nanoTime(), 36);
    static final String REF = NS + "/tool@1";
    static final String IMAGE = "127.0.0.1:5000/base/debian";
    static final String CANARY = "canary-" + java.util.UUID.randomUUID();
    static String digest;

    @Inject
    InternalServer internal;

    @Inject
    AgroalDataSource db;

    @BeforeAll
    static void register() throws Exception {
        digest = manifestDigest();
        var spec = new ProcessorSpec(ProcessorRef.parse(REF), "deploy test", IMAGE, Map.of(Platform.AMD64.wire(), digest), null,
                List.of("API_KEY", "OTHER_KEY"), Json.MAPPER.readTree("{\"type\":\"object\"}"), null);
        var put = HttpRequest.newBuilder(URI.create(OwnRegistry.start() + "/v1/processors/" + NS + "/tool/versions/1"))
                .header("Content-Type", "application/json").header(InternalAuth.TOKEN_HEADER, StackCredentials.internalToken())
                .header(InternalAuth.OWNER_HEADER, "alice").PUT(HttpRequest.BodyPublishers.ofString(Json.write(spec))).build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            var answer = http.send(put, HttpResponse.BodyHandlers.ofString());
            assertEquals(201, answer.statusCode(), answer.body());
        }
    }

    private static io.restassured.specification.RequestSpecification as(String token) {
        return given().header("Authorization", token).contentType("application/json");
    }

    private static String deployBody(String env, String oci) {
        return Json.write(new Deploy.Request(REF, env, oci, 1, null, "feature/x"));
    }

    @Test
    void deployByDigestSendsTheCommandAndExecutorEventsMoveTheStatus() throws Exception {
        try (var consumer = consumer(OwnRegistry.REQUESTED_TOPIC)) {
            as(ALICE).body(deployBody("staging", IMAGE + "@" + digest)).post("/v1/deployments").then().statusCode(202)
                    .body("name", equalTo(NS + "-tool-v1")).body("status", equalTo("requested")).body("digest", equalTo(digest));
            ConsumerRecord<String, String> record = poll(consumer, REF + ":staging");
            var command = Json.read(record.value(), Deploy.Command.class);
            assertEquals(IMAGE + "@" + digest, command.image());
            assertEquals(1, command.minWarm());
            assertEquals("alice", command.owner());
        }
        try (var producer = producer()) {
            var event = new Deploy.Event(1, NS + "-tool-v1", ProcessorRef.parse(REF), "staging", Deploy.EventType.VERIFIED, digest, 1,
                    "executor-under-test", "1 warm container READY", Instant.now());
            producer.send(new ProducerRecord<>(OwnRegistry.EVENTS_TOPIC, REF + ":staging", Json.write(event))).get();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> as(ALICE).queryParam("ref", REF).queryParam("env", "staging")
                .get("/v1/deployments/status").then().statusCode(200).body("status", equalTo("verified"))
                .body("executors[0].executor_id", equalTo("executor-under-test")).body("executors[0].warm", equalTo(1)));
        as(ALICE).queryParam("ref", REF).queryParam("env", "staging").get("/v1/deployments/logs").then().statusCode(200)
                .body("lines[0].source", equalTo("deploy")).body("lines[0].message", containsString("executor-under-test verified"));
        // a dev deployment is per branch and user
        as(ALICE).body(deployBody("dev", IMAGE + "@" + digest)).post("/v1/deployments").then().statusCode(202)
                .body("name", equalTo(NS + "-tool-dev-feature-x-alice"));
        as(ALICE).queryParam("ref", REF).queryParam("env", "dev").get("/v1/deployments/status").then().statusCode(200)
                .body("name", equalTo(NS + "-tool-dev-feature-x-alice"));
    }

    @Test
    void aTagIsRefusedAndADigestThatIsNotThePinIsAMismatch() {
        as(ALICE).body(deployBody("prod", IMAGE + ":bookworm")).post("/v1/deployments").then().statusCode(400)
                .body("code", equalTo("ERR_OPTION_INVALID")).body("detail", containsString(IMAGE + "@sha256:"));
        String other = "sha256:" + "ab".repeat(32);
        as(ALICE).body(deployBody("prod", IMAGE + "@" + other)).post("/v1/deployments").then().statusCode(409)
                .body("code", equalTo("ERR_REGISTRY_MISMATCH")).body("detail", containsString(other))
                .body("detail", containsString(digest));
        as(ALICE).body(Json.write(new Deploy.Request(REF, "qa", IMAGE + "@" + digest, 1, null, null))).post("/v1/deployments")
                .then().statusCode(400).body("code", equalTo("ERR_OPTION_INVALID"));
        given().contentType("application/json").body(deployBody("prod", IMAGE + "@" + digest)).post("/v1/deployments")
                .then().statusCode(401);
    }

    @Test
    void verifyReportsBothDigests() {
        as(ALICE).body(deployBody("prod", IMAGE + "@" + digest)).post("/v1/deployments").then().statusCode(202);
        as(ALICE).body(Json.write(new Deploy.VerifyRequest(REF, "prod", IMAGE + "@" + digest, null))).post("/v1/deployments/verify")
                .then().statusCode(200).body("match", equalTo(true));
        String other = "sha256:" + "cd".repeat(32);
        as(ALICE).body(Json.write(new Deploy.VerifyRequest(REF, "prod", IMAGE + "@" + other, null))).post("/v1/deployments/verify")
                .then().statusCode(200).body("match", equalTo(false)).body("deployed_digest", equalTo(digest))
                .body("given_digest", equalTo(other)).body("oci_has_manifest", equalTo(false));
    }

    @Test
    void anotherOwnerCannotDeployReadVerifyLogOrSyncSecrets() {
        as(ALICE).body(deployBody("prod", IMAGE + "@" + digest)).post("/v1/deployments").then().statusCode(202);
        as(BOB).body(deployBody("prod", IMAGE + "@" + digest)).post("/v1/deployments").then().statusCode(403)
                .body("code", equalTo("ERR_NAMESPACE_FORBIDDEN"));
        as(BOB).queryParam("ref", REF).queryParam("env", "prod").get("/v1/deployments/status").then().statusCode(403);
        as(BOB).queryParam("ref", REF).queryParam("env", "prod").get("/v1/deployments/logs").then().statusCode(403);
        as(BOB).body(Json.write(new Deploy.VerifyRequest(REF, "prod", IMAGE + "@" + digest, null))).post("/v1/deployments/verify")
                .then().statusCode(403);
        // the environment's secrets: not yours reads exactly as not there
        String notYours = as(BOB).body(Json.write(new Deploy.SecretSync(REF, "prod", Map.of("API_KEY", "bobs"), null, null)))
                .post("/v1/deployments/secrets").then().statusCode(404).body("code", equalTo("ERR_DEPLOYMENT_NOT_FOUND"))
                .extract().path("detail");
        String never = REF.substring(0, REF.indexOf('@')) + "@99";
        String notThere = as(ALICE).body(Json.write(new Deploy.SecretSync(never, "prod", Map.of(), true, null)))
                .post("/v1/deployments/secrets").then().statusCode(404).extract().path("detail");
        assertEquals(notThere.replace(never, REF), notYours);
        as(ALICE).queryParam("ref", REF).queryParam("env", "prod").get("/v1/deployments/status").then().statusCode(200)
                .body("owner", equalTo("alice"));
    }

    @Test
    void secretsAreSyncedPerEnvironmentAndReachOnlyThatEnvironmentsRuns() throws Exception {
        try (var c = db.getConnection(); var s = c.createStatement()) {
            s.execute("DELETE FROM secrets WHERE owner = 'alice' AND env <> ''"); // an earlier run's, in this test database
        }
        var out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        as(ALICE).body(deployBody("staging", IMAGE + "@" + digest)).post("/v1/deployments").then().statusCode(202);
        as(ALICE).body(deployBody("prod", IMAGE + "@" + digest)).post("/v1/deployments").then().statusCode(202);
        var sync = new Deploy.SecretSync(REF, "staging", Map.of("API_KEY", CANARY, "NOT_NAMED", "x"), true, false);
        // --check: a report, nothing stored
        String checked = as(ALICE).body(Json.write(sync)).post("/v1/deployments/secrets").then().statusCode(200)
                .body("applied", equalTo(false)).body("added", contains("API_KEY")).body("missing", contains("OTHER_KEY"))
                .body("extra", contains("NOT_NAMED")).extract().asString();
        assertFalse(checked.contains(CANARY));
        assertEquals(0, count("staging"));
        // apply
        String applied = as(ALICE).body(Json.write(new Deploy.SecretSync(REF, "staging", Map.of("API_KEY", CANARY), false, false)))
                .post("/v1/deployments/secrets").then().statusCode(200).body("applied", equalTo(true))
                .body("added", contains("API_KEY")).extract().asString();
        assertFalse(applied.contains(CANARY));
        assertEquals(1, count("staging"));
        try (var rs = db.getConnection().createStatement().executeQuery("SELECT sealed FROM secrets WHERE env = 'staging'")) {
            while (rs.next()) {
                assertFalse(new String(rs.getBytes(1), java.nio.charset.StandardCharsets.ISO_8859_1).contains(CANARY), "sealed");
            }
        }
        // the same again: unchanged
        as(ALICE).body(Json.write(new Deploy.SecretSync(REF, "staging", Map.of("API_KEY", CANARY), false, false)))
                .post("/v1/deployments/secrets").then().statusCode(200).body("unchanged", contains("API_KEY"))
                .body("added", empty());
        // a real-mode run in staging reads it; OTHER_KEY still missing, so set it first
        as(ALICE).body(Json.write(new Deploy.SecretSync(REF, "staging", Map.of("OTHER_KEY", "o"), false, false)))
                .post("/v1/deployments/secrets").then().statusCode(200);
        String staging = runIn("staging");
        given().baseUri("http://127.0.0.1").port(internal.port()).contentType("application/json")
                .header(InternalAuth.TOKEN_HEADER, StackCredentials.internalToken())
                .body("{\"execution_id\":\"" + staging + "\",\"names\":[\"API_KEY\"]}").post("/internal/v1/secrets")
                .then().statusCode(200).body("values.API_KEY", equalTo(CANARY));
        // prod has none: the run is refused naming the names, never a value
        as(ALICE).body(runBody("prod")).post("/v1/runs").then().statusCode(422).body("code", equalTo("ERR_MISSING_SECRET"))
                .body("detail", containsString("API_KEY")).body("detail", containsString("sync-secrets"));
        // and a run of no environment does not see staging's values either
        as(ALICE).body("{\"ref\":\"" + REF + "\",\"mode\":\"real\",\"inputs\":{}}").post("/v1/runs").then().statusCode(422)
                .body("code", equalTo("ERR_MISSING_SECRET"));
        // prune: the spec no longer names what was stored by hand under another name
        db.getConnection().createStatement().execute("INSERT INTO secrets (owner, env, name, sealed) VALUES "
                + "('alice', 'staging', 'RETIRED_KEY', '\\x00')");
        as(ALICE).body(Json.write(new Deploy.SecretSync(REF, "staging", Map.of(), true, true)))
                .post("/v1/deployments/secrets").then().statusCode(200).body("pruned", contains("RETIRED_KEY"));
        assertEquals(3, count("staging"));
        as(ALICE).body(Json.write(new Deploy.SecretSync(REF, "staging", Map.of(), false, true)))
                .post("/v1/deployments/secrets").then().statusCode(200).body("pruned", contains("RETIRED_KEY"))
                .body("unchanged", contains("API_KEY", "OTHER_KEY"));
        assertEquals(2, count("staging"));
        // the values of bob's environment are bob's: alice's staging values are not in his
        as(BOB).get("/v1/secrets").then().statusCode(200).body("$", not(org.hamcrest.Matchers.hasItem("API_KEY")));
        System.setOut(saved);
    }

    private String runIn(String env) {
        return as(ALICE).body(runBody(env)).post("/v1/runs").then().statusCode(202).extract().path("execution_id");
    }

    private static String runBody(String env) {
        return "{\"ref\":\"" + REF + "\",\"mode\":\"real\",\"env\":\"" + env + "\",\"inputs\":{}}";
    }

    private int count(String env) throws Exception {
        try (var c = db.getConnection(); var ps = c.prepareStatement("SELECT count(*) FROM secrets WHERE owner = 'alice' AND env = ?")) {
            ps.setString(1, env);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static KafkaConsumer<String, String> consumer(String topic) {
        var props = new Properties();
        props.putAll(StackCredentials.kafka());
        props.putAll(Map.of("group.id", "deploy-test-" + System.nanoTime(), "enable.auto.commit", "false",
                "key.deserializer", StringDeserializer.class.getName(), "value.deserializer", StringDeserializer.class.getName()));
        var consumer = new KafkaConsumer<String, String>(props);
        var partitions = List.of(new TopicPartition(topic, 0));
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    private static ConsumerRecord<String, String> poll(KafkaConsumer<String, String> consumer, String key) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(deadline)) {
            for (var r : consumer.poll(Duration.ofMillis(500))) {
                if (key.equals(r.key())) {
                    return r;
                }
            }
        }
        throw new AssertionError("no deploy command with key " + key);
    }

    private static KafkaProducer<String, String> producer() {
        var props = new Properties();
        props.putAll(StackCredentials.kafka());
        props.putAll(Map.of("acks", "all", "key.serializer", StringSerializer.class.getName(),
                "value.serializer", StringSerializer.class.getName()));
        return new KafkaProducer<>(props);
    }

    static String manifestDigest() throws Exception {
        var head = HttpRequest.newBuilder(URI.create("http://127.0.0.1:5000/v2/base/debian/manifests/bookworm"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", "application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json,"
                        + "application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.docker.distribution.manifest.v2+json")
                .build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(head, HttpResponse.BodyHandlers.discarding()).headers().firstValue("Docker-Content-Digest").orElseThrow();
        }
    }
}
