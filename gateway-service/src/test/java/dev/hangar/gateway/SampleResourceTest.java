package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.Topics;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/sample} against the real registry, PostgreSQL, Kafka and storage service; the
 * executor's part is played by events this test puts on the bus, with an output.json really
 * stored in S3. A refused request leaves no run; a waiting request answers as soon as the run's
 * end event arrives.
 */
@QuarkusTest
class SampleResourceTest {
    static final String REF = "gwtest/lm@1";
    static final String SAMPLE_OUTPUT = """
            {"sequences":[{"tokens":[5,6,2],"logprobs":[-0.5,-1.5,-0.25],"stop_reason":"stop","text":" hi"}],
             "prompt_logprobs":[null,-2.5],"topk_prompt_logprobs":null,"type":"sample","prompt_tokens":[1,7]}""";

    @Inject
    AgroalDataSource db;

    @BeforeAll
    static void registerSampler() throws Exception {
        JsonNode spec = Json.YAML.readTree(Files.readString(Path.of("..", "models", "tiny-lm", "hangar.yaml")));
        TestStack.register(REF, Json.write(spec.path("inputs_schema")));
    }

    long runs() throws Exception {
        try (var c = db.getConnection(); var s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM runs WHERE ref = '" + REF + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The run's command as the relay put it on this test gateway's own request topic. */
    String command(String id) {
        String topic = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("mp.messaging.outgoing.run-requests.topic", String.class);
        var props = new java.util.Properties();
        props.putAll(dev.hangar.kit.testing.StackCredentials.kafka());
        props.putAll(java.util.Map.of("group.id", "sample-test-" + java.util.UUID.randomUUID(), "auto.offset.reset", "earliest",
                "key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName(),
                "value.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName()));
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(props)) {
            consumer.subscribe(List.of(topic));
            long until = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < until) {
                for (var record : consumer.poll(java.time.Duration.ofMillis(500))) {
                    if (id.equals(record.key())) {
                        return record.value();
                    }
                }
            }
        }
        throw new AssertionError("no command for " + id + " on " + topic);
    }

    @Test
    void theBaseModelsAreListed() {
        given().when().get("/v1/models").then().statusCode(200)
                .body("models.id", hasItems("hangar/tiny-lm", "gwtest/lm"))
                .body("models.find { it.id == 'hangar/tiny-lm' }.sampler", equalTo("hangar/tiny-lm@1"));
    }

    @Test
    void aBadRequestGetsItsCodeAndLeavesNoRun() throws Exception {
        long before = runs();
        for (String body : List.of("{\"base_model\":\"gwtest/lm\"}",
                "{\"base_model\":\"gwtest/lm\",\"prompt_text\":\"x\",\"sampling_params\":{\"top_p\":2}}",
                "{\"base_model\":\"gwtest/lm\",\"prompt\":{\"chunks\":[{\"type\":\"image\",\"tokens\":[1]}]}}")) {
            given().contentType("application/json").body(body).when().post("/v1/sample").then().statusCode(400)
                    .contentType("application/problem+json").body("code", equalTo("ERR_SAMPLE_INVALID"));
        }
        given().contentType("application/json").body("{\"base_model\":\"nobody/none\",\"prompt_text\":\"x\"}")
                .when().post("/v1/sample").then().statusCode(404).body("code", equalTo("ERR_MODEL_NOT_FOUND"))
                .body("detail", org.hamcrest.Matchers.containsString("gwtest/lm"));
        given().contentType("application/json").body("{\"base_model\":\"gwtest/lm\",\"prompt_text\":\"x\",\"model_path\":\"p\"}")
                .when().post("/v1/sample").then().statusCode(400).body("code", equalTo("ERR_SAMPLE_INVALID"))
                .body("detail", org.hamcrest.Matchers.containsString("/model_path"));
        given().contentType("application/json").body("{\"base_model\":\"gwtest/lm\",\"prompt_text\":\"x\"}")
                .queryParam("wait_ms", -1).when().post("/v1/sample").then().statusCode(400).body("code", equalTo("ERR_OPTION_INVALID"));
        assertEquals(before, runs(), "a refused sampling request left a run behind");
    }

    @Test
    void aSampleIsARunWithTheProcessorsInputsAndAnswersWhenTheRunEnds() throws Exception {
        String body = """
                {"base_model":"gwtest/lm","prompt":{"chunks":[{"type":"encoded_text","tokens":[1,7]}]},
                 "sampling_params":{"temperature":0,"seed":3,"stop":["\\n"]},"prompt_logprobs":true}""";
        String id = given().contentType("application/json").body(body).queryParam("wait_ms", 0)
                .when().post("/v1/sample").then().statusCode(202)
                .header("Location", org.hamcrest.Matchers.containsString("/v1/sample/"))
                .extract().path("execution_id");
        JsonNode command = Json.MAPPER.readTree(command(id));
        JsonNode inputs = command.path("inputs");
        assertEquals(Json.MAPPER.readTree("""
                {"prompt_tokens":[1,7],"max_tokens":32,"temperature":0.0,"top_k":-1,"top_p":1.0,"seed":3,"stop":["\\n"],
                 "num_samples":1,"prompt_logprobs":true,"topk_prompt_logprobs":0}"""), inputs);
        assertEquals("real", command.path("mode").asText(), "base models sample in real mode");
        given().queryParam("wait_ms", 0).when().get("/v1/sample/" + id).then().statusCode(202).body("execution_id", equalTo(id));

        OutputRef stored = Json.read(given().contentType("application/octet-stream").queryParam("filename", "output.json")
                .body(SAMPLE_OUTPUT.getBytes()).when().post("/v1/attachments").then().statusCode(201).extract().asString(), OutputRef.class);
        var waiting = CompletableFuture.supplyAsync(() -> given().queryParam("wait_ms", 30_000).when().get("/v1/sample/" + id)
                .then().extract());
        Thread.sleep(300); // the GET is waiting before the run ends
        long sent = System.nanoTime();
        try (var producer = TestStack.producer()) {
            TestStack.send(producer, Topics.RUNS_EVENTS, id, Json.write(RunEvent.of(id, 1, 1, null,
                    new RunEvent.Started(dev.hangar.contracts.ProcessorRef.parse(REF), Adapter.LOCAL, Mode.REAL, "sha256:" + "a".repeat(64), "t"))));
            var meta = new Envelope.Meta(REF, Adapter.LOCAL, Mode.REAL, Platform.AMD64, 1, "sha256:" + "a".repeat(64), null, 5L, 1L, null, null);
            TestStack.send(producer, Topics.RUNS_EVENTS, id, Json.write(RunEvent.of(id, 1, 2, null,
                    new RunEvent.Completed(Envelope.success(id, List.of(stored), "/artifacts/x/outputs.json", meta)))));
        }
        var answer = waiting.get(30, java.util.concurrent.TimeUnit.SECONDS);
        long waitedMs = (System.nanoTime() - sent) / 1_000_000;
        assertEquals(200, answer.statusCode(), answer.asString());
        JsonNode response = Json.MAPPER.readTree(answer.asString());
        assertEquals("sample", response.path("type").asText());
        assertEquals(id, response.path("run_id").asText());
        assertEquals(Json.MAPPER.readTree("[{\"tokens\":[5,6,2],\"logprobs\":[-0.5,-1.5,-0.25],\"stop_reason\":\"stop\",\"text\":\" hi\"}]"),
                response.path("sequences"));
        assertEquals(Json.MAPPER.readTree("[null,-2.5]"), response.path("prompt_logprobs"));
        assertTrue(response.path("topk_prompt_logprobs").isNull());
        assertTrue(response.path("stream_url").asText().endsWith("/v1/runs/" + id + "/stream"));
        assertTrue(waitedMs < 5_000, "the waiting request answered when the end event came, not at its deadline: " + waitedMs + " ms");
    }

    @Test
    void aFailedSamplingRunAnswersItsErrorWithTheRunId() throws Exception {
        String id = given().contentType("application/json").body("{\"base_model\":\"gwtest/lm\",\"prompt_text\":\"x\"}")
                .queryParam("wait_ms", 0).when().post("/v1/sample").then().statusCode(202).extract().path("execution_id");
        try (var producer = TestStack.producer()) {
            var meta = new Envelope.Meta(REF, Adapter.LOCAL, Mode.REAL, Platform.AMD64, 1, null, null, 5L, 1L, null, null);
            TestStack.send(producer, Topics.RUNS_EVENTS, id, Json.write(RunEvent.of(id, 1, 1, null, new RunEvent.Failed(
                    Envelope.error(id, dev.hangar.contracts.ErrorCode.ERR_PROCESSOR_FAILED, "prompt too long", null, meta)))));
        }
        given().queryParam("wait_ms", 20_000).when().get("/v1/sample/" + id).then().statusCode(502)
                .contentType("application/problem+json").body("code", equalTo("ERR_PROCESSOR_FAILED"))
                .body("execution_id", equalTo(id)).body("detail", org.hamcrest.Matchers.containsString("prompt too long"));
    }

    @Test
    void aRetriedPostWithItsIdempotencyKeyIsTheSameRun() {
        String key = "retry-" + System.nanoTime();
        String body = "{\"base_model\":\"gwtest/lm\",\"prompt_text\":\"x\"}";
        String first = given().contentType("application/json").header("Idempotency-Key", key).body(body).queryParam("wait_ms", 0)
                .when().post("/v1/sample").then().statusCode(202).extract().path("execution_id");
        given().contentType("application/json").header("Idempotency-Key", key).body(body).queryParam("wait_ms", 0)
                .when().post("/v1/sample").then().statusCode(202).body("execution_id", equalTo(first));
        given().contentType("application/json").header("Idempotency-Key", "bad key").body(body)
                .when().post("/v1/sample").then().statusCode(400).body("code", equalTo("ERR_OPTION_INVALID"));
    }

    @Test
    void aRunThatIsNotASamplingRunIsNotASample() {
        given().when().get("/v1/sample/r-doesnotexist0000000").then().statusCode(404).body("code", equalTo("ERR_RUN_NOT_FOUND"));
    }
}
