package dev.hangar.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.contracts.InternalAuth;
import dev.hangar.contracts.Json;
import dev.hangar.kit.testing.StackCredentials;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Sampling end to end (docs/sampling.md), real mode: this tree's registry, gateway and executor
 * as processes on the stack's Kafka (private topics), PostgreSQL, S3 and Docker; the tiny-lm image
 * built from models/tiny-lm (cached layers: seconds after the first build) and pinned by digest.
 * Two owners by bootstrap token. The same seed gives the same tokens; the logprobs are the
 * model's own, recomputed here by hangar_lm in one full forward pass; a bad request gets its
 * stable code; the other owner cannot read the sample run; an adapter attachment is sampled in
 * the same warm container; the CLI prints tinkex's plain form.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SampleIT {
    static final String TAG = "sampleit" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    static final String REF = TAG + "/tiny-lm@1";
    static final String IMAGE = "127.0.0.1:5000/sampleit/tiny-lm";
    static final String EVENTS = "hangar.sample-it.events." + TAG;
    static final String REQUESTS = "hangar.sample-it.requested." + TAG;
    static final String CONTROL = "hangar.sample-it.control." + TAG;
    static final String SUBMIT = "hangar.sample-it.submit." + TAG;
    static final String ALICE = "sample-it-alice-" + UUID.randomUUID();
    static final String BOB = "sample-it-bob-" + UUID.randomUUID();
    static final Path MODEL = Stack.ROOT.resolve("models/tiny-lm/weights/tiny-lm-base");
    static final Path RESOURCES = Stack.ROOT.resolve("e2e/src/test/resources/sampling");
    static final String PYTHON = System.getProperty("python.executable", "/usr/bin/python3");

    private final List<ServiceProcess> services = new ArrayList<>();
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private volatile boolean consuming = true;
    private ServiceProcess gateway;
    private Path work;

    @BeforeAll
    void startServices() throws Exception {
        work = Files.createTempDirectory("hangar-sample-it");
        Stack.createTopics(EVENTS, REQUESTS, CONTROL, SUBMIT);
        String digest = image();
        String token = StackCredentials.internalToken();
        var registry = start("registry-service", "registry", ServiceProcess.freePort(), Map.of(
                "HANGAR_DB_URL", "jdbc:postgresql://127.0.0.1:5432/hangar_registry_sample",
                "HANGAR_INTERNAL_TOKEN", token, "HANGAR_VERIFY_DIGESTS", "false"), Map.of());
        register(registry.url(), digest, token);
        int port = ServiceProcess.freePort();
        int internalPort = ServiceProcess.freePort();
        gateway = start("gateway-service", "gateway", port, Map.of(
                "HANGAR_DB_URL", "jdbc:postgresql://127.0.0.1:5432/hangar_gateway_sample",
                "HANGAR_INTERNAL_TOKEN", token,
                "HANGAR_SECRETS_KEY", "sample-it-secrets-key-" + UUID.randomUUID(),
                "HANGAR_GATEWAY_ID", TAG,
                "HANGAR_GATEWAY_INTERNAL_PORT", String.valueOf(internalPort),
                "HANGAR_PUBLIC_URL", "http://127.0.0.1:" + port,
                "HANGAR_BOOTSTRAP_TOKENS", "alice=" + ALICE + ",bob=" + BOB,
                "HANGAR_REGISTRY_URL", registry.url()), Map.of(
                "mp.messaging.incoming.run-events.topic", EVENTS,
                "mp.messaging.incoming.run-events.dead-letter-queue.topic", EVENTS + ".dlq",
                "mp.messaging.outgoing.run-requests.topic", REQUESTS,
                "mp.messaging.outgoing.run-control.topic", CONTROL,
                "mp.messaging.incoming.run-submissions.topic", SUBMIT,
                "mp.messaging.incoming.run-submissions.group.id", SUBMIT + ".group",
                "mp.messaging.outgoing.run-submissions-dlq.topic", SUBMIT + ".dlq",
                "hangar.gateway.models.\"hangar/tiny-lm\".sampler", REF));
        start("executor-service", "executor", ServiceProcess.freePort(), Map.of(
                "HANGAR_EXECUTOR_ID", TAG + "-executor",
                "HANGAR_EXECUTOR_WORK_DIR", work.resolve("executor").toString(),
                "HANGAR_INTERNAL_TOKEN", token,
                "HANGAR_GATEWAY_INTERNAL_URL", "http://127.0.0.1:" + internalPort,
                "HANGAR_REGISTRY_URL", registry.url()), Map.of(
                "mp.messaging.incoming.run-requests.topic", REQUESTS,
                "mp.messaging.incoming.run-requests.group.id", REQUESTS + ".group",
                "mp.messaging.incoming.run-requests.dead-letter-queue.topic", REQUESTS + ".dlq",
                "mp.messaging.outgoing.run-events.topic", EVENTS,
                "mp.messaging.incoming.run-control.topic", CONTROL));
        Thread.ofPlatform().daemon().start(this::consumeEvents);
    }

    @AfterAll
    void stopServices() throws Exception {
        consuming = false;
        for (var service : services.reversed()) {
            service.close(); // the executor removes its warm container on shutdown
        }
    }

    @Test
    void theSameSeedGivesTheSameTokensAndTheLogprobsAreTheModelsOwn() throws Exception {
        String body = """
                {"base_model":"hangar/tiny-lm","prompt_text":"A penny saved","num_samples":2,"prompt_logprobs":true,
                 "sampling_params":{"max_tokens":12,"seed":7,"stop":[]}}""";
        JsonNode first = ok(post("/v1/sample", ALICE, body));
        JsonNode second = ok(post("/v1/sample", ALICE, body));
        assertEquals(first.path("sequences"), second.path("sequences"), "the same seed gives the same tokens");
        assertNotEquals(first.path("run_id"), second.path("run_id"), "each request is a run of its own");
        assertEquals("sample", first.path("type").asText());
        var sequences = new ArrayList<List<Integer>>();
        for (JsonNode s : first.path("sequences")) {
            assertEquals("length", s.path("stop_reason").asText(), "stop [] never stops early");
            assertEquals(12, s.path("tokens").size());
            sequences.add(Json.MAPPER.convertValue(s.path("tokens"), Json.MAPPER.getTypeFactory()
                    .constructCollectionType(List.class, Integer.class)));
            for (JsonNode lp : s.path("logprobs")) {
                assertTrue(Double.isFinite(lp.asDouble()) && lp.asDouble() <= 0, "a logprob is finite and <= 0: " + s);
            }
        }
        JsonNode local = python(RESOURCES.resolve("logprobs.py"), Json.write(Map.of("model", MODEL.toString(),
                "prompt", "A penny saved", "sequences", sequences)));
        for (int i = 0; i < sequences.size(); i++) {
            assertClose(local.path("logprobs").get(i), first.path("sequences").get(i).path("logprobs"), "sequence " + i);
        }
        assertClose(local.path("prompt_logprobs"), first.path("prompt_logprobs"), "prompt_logprobs");
        JsonNode tokens = ok(post("/v1/sample", ALICE, Json.write(Map.of("base_model", "hangar/tiny-lm",
                "prompt", Map.of("chunks", List.of(Map.of("type", "encoded_text", "tokens", local.path("prompt_tokens")))),
                "sampling_params", Map.of("max_tokens", 12, "seed", 7, "stop", List.of()), "num_samples", 2))));
        assertEquals(first.path("sequences"), tokens.path("sequences"), "the prompt as token ids samples the same");
    }

    @Test
    void theFirstSequenceStreamsAsTokenEventsAndTheCliPrintsTinkexsForm() throws Exception {
        var plain = hangar("sample", "--base-model", "hangar/tiny-lm", "--prompt", "The tower said", "--max-tokens", "10",
                "--seed", "3", "--num-samples", "2");
        assertEquals(0, plain.exit(), plain.toString());
        assertTrue(plain.out().startsWith("Sample 1:\n") && plain.out().contains("\n\nSample 2:\n"), plain.out());
        assertTrue(plain.out().matches("(?s).*stop_reason=(length|stop) \\| avg_logprob=-\\d+\\.\\d{3}\n.*"), plain.out());
        var json = hangar("sample", "--base-model", "hangar/tiny-lm", "--prompt", "The tower said", "--max-tokens", "10",
                "--seed", "3", "--num-samples", "2", "--json");
        assertEquals(0, json.exit(), json.toString());
        JsonNode response = Json.MAPPER.readTree(json.out());
        String id = response.path("run_id").asText();
        String text = response.path("sequences").get(0).path("text").asText();
        assertTrue(plain.out().startsWith("Sample 1:\n" + text + "\n"), "plain and JSON agree: " + plain.out() + " vs " + text);
        await().atMost(Duration.ofSeconds(20)).until(() -> eventsOf(id).stream().anyMatch(e -> type(e).equals("completed")));
        var streamed = new StringBuilder();
        eventsOf(id).stream().filter(e -> type(e).equals("token")).forEach(e -> streamed.append(e.path("event").path("text").asText()));
        assertEquals(text, streamed.toString(), "the first sequence's tokens streamed as the run's token events");

        // on a terminal (script(1) gives the CLI a pty) the tokens print as they stream, then the result
        var tty = hangarOnATerminal("sample", "--base-model", "hangar/tiny-lm", "--prompt", "The tower said", "--max-tokens", "10",
                "--seed", "3", "--num-samples", "2");
        assertEquals(0, tty.exit(), tty.toString());
        assertEquals(text + "\n\n" + plain.out(), tty.out().replace("\r\n", "\n"), "streamed tokens, then the same result");

        var bad = hangar("sample", "--base-model", "hangar/tiny-lm", "--prompt", "x", "--top-p", "2");
        assertEquals(1, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("ERR_SAMPLE_INVALID") && bad.err().contains("/sampling_params/top_p"), bad.err());
    }

    @Test
    void aBadRequestGetsItsStableCode() throws Exception {
        var invalid = post("/v1/sample", ALICE, "{\"base_model\":\"hangar/tiny-lm\",\"prompt_text\":\"x\",\"num_samples\":99}");
        assertEquals(400, invalid.statusCode(), invalid.body());
        assertEquals("ERR_SAMPLE_INVALID", Json.MAPPER.readTree(invalid.body()).path("code").asText());
        var unknown = post("/v1/sample", ALICE, "{\"base_model\":\"nobody/nothing\",\"prompt_text\":\"x\"}");
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertEquals("ERR_MODEL_NOT_FOUND", Json.MAPPER.readTree(unknown.body()).path("code").asText());
        var tooLong = post("/v1/sample", ALICE, "{\"base_model\":\"hangar/tiny-lm\",\"prompt\":{\"chunks\":[{\"type\":"
                + "\"encoded_text\",\"tokens\":[1,2]}]},\"sampling_params\":{\"max_tokens\":255},\"prompt_logprobs\":true}");
        var problem = Json.MAPPER.readTree(tooLong.body());
        assertEquals("ERR_PROCESSOR_FAILED", problem.path("code").asText(), "past the model's context: " + tooLong.body());
        assertTrue(problem.path("detail").asText().contains("context"), tooLong.body());
        assertTrue(problem.path("execution_id").asText().startsWith("r"), "the failed run is named: " + tooLong.body());
    }

    @Test
    void anotherOwnerCannotReadTheSampleRun() throws Exception {
        JsonNode mine = ok(post("/v1/sample", ALICE, "{\"base_model\":\"hangar/tiny-lm\",\"prompt_text\":\"Never trust\","
                + "\"sampling_params\":{\"max_tokens\":4,\"seed\":1}}"));
        String id = mine.path("run_id").asText();
        for (String path : List.of("/v1/sample/" + id, "/v1/runs/" + id)) {
            var theirs = get(path, BOB);
            assertEquals(404, theirs.statusCode(), path + ": " + theirs.body());
            assertEquals("ERR_RUN_NOT_FOUND", Json.MAPPER.readTree(theirs.body()).path("code").asText());
            assertTrue(!theirs.body().contains(mine.path("sequences").get(0).path("text").asText()) || mine.path("sequences")
                    .get(0).path("text").asText().isBlank(), "nothing of the sample leaks");
        }
        assertEquals(mine.path("sequences"), ok(get("/v1/sample/" + id, ALICE)).path("sequences"), "its owner reads it again");
    }

    @Test
    void anAdapterAttachmentIsSampledOnTopOfTheBase() throws Exception {
        Path packed = work.resolve("tower.hlora");
        var made = new ProcessBuilder(PYTHON, RESOURCES.resolve("make_adapter.py").toString(), MODEL.toString(), packed.toString())
                .redirectErrorStream(true).start();
        String log = new String(made.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(made.waitFor(2, TimeUnit.MINUTES) && made.exitValue() == 0, log);
        var upload = Stack.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/attachments?filename=tower.hlora"))
                .header("Authorization", "Bearer " + ALICE).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofFile(packed)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, upload.statusCode(), upload.body());
        String attached = Json.MAPPER.readTree(upload.body()).path("path").asText();
        ObjectNode inputs = Json.MAPPER.createObjectNode().put("prompt", "Tower, Kilo").put("max_tokens", 6).put("temperature", 0);
        String base = run(inputs, null);
        String tuned = run(inputs.deepCopy().set("adapter", Json.MAPPER.createObjectNode().put("$attach", "adapter")), attached);
        JsonNode baseOut = ok(get("/v1/sample/" + base, ALICE));
        JsonNode tunedOut = ok(get("/v1/sample/" + tuned, ALICE));
        assertNotEquals(baseOut.path("sequences").get(0).path("logprobs"), tunedOut.path("sequences").get(0).path("logprobs"),
                "the adapter changes the model");
    }

    /** A real-mode run of the sampler through POST /v1/runs, waited for; its id. */
    private String run(ObjectNode inputs, String adapter) throws Exception {
        var request = Json.MAPPER.createObjectNode().put("ref", REF).put("mode", "real");
        request.set("inputs", inputs);
        if (adapter != null) {
            request.set("attachments", Json.MAPPER.createObjectNode().put("adapter", adapter));
        }
        var submitted = post("/v1/runs", ALICE, Json.write(request));
        assertEquals(202, submitted.statusCode(), submitted.body());
        String id = Json.MAPPER.readTree(submitted.body()).path("execution_id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> Json.MAPPER.readTree(get("/v1/runs/" + id, ALICE).body())
                .path("status").asText().matches("success|error|canceled"));
        JsonNode detail = Json.MAPPER.readTree(get("/v1/runs/" + id, ALICE).body());
        assertEquals("success", detail.path("status").asText(), detail.toString());
        return id;
    }

    // ---- helpers

    private static void assertClose(JsonNode expected, JsonNode actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            if (expected.get(i).isNull()) {
                assertTrue(actual.get(i).isNull(), what + "[" + i + "] is null");
                continue;
            }
            assertEquals(expected.get(i).asDouble(), actual.get(i).asDouble(), 2e-3, what + "[" + i + "]: " + actual + " vs " + expected);
        }
    }

    private HttpResponse<String> post(String path, String token, String body) throws Exception {
        return Stack.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url() + path)).timeout(Duration.ofSeconds(90))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return Stack.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url() + path)).timeout(Duration.ofSeconds(90))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(HttpResponse<String> response) throws Exception {
        assertEquals(200, response.statusCode(), response.body());
        return Json.MAPPER.readTree(response.body());
    }

    private Stack.Result hangar(String... args) throws Exception {
        var command = new ArrayList<>(List.of(Stack.ROOT.resolve("bin/hangar").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--url", gateway.url(), "--token", ALICE));
        var process = new ProcessBuilder(command).directory(Stack.ROOT.toFile()).start();
        process.getOutputStream().close();
        var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(3, TimeUnit.MINUTES), "bin/hangar did not finish");
        return new Stack.Result(process.exitValue(), out, new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** bin/hangar with stdin and stdout on a pseudo-terminal (util-linux script(1)); stderr goes to the same pty. */
    private Stack.Result hangarOnATerminal(String... args) throws Exception {
        var line = new StringBuilder("exec ").append(quote(Stack.ROOT.resolve("bin/hangar").toString()));
        for (String a : args) {
            line.append(' ').append(quote(a));
        }
        line.append(" --url ").append(quote(gateway.url())).append(" --token ").append(quote(ALICE)).append(" 2>/dev/null");
        var process = new ProcessBuilder("script", "-q", "-e", "-c", line.toString(), "/dev/null").directory(Stack.ROOT.toFile()).start();
        process.getOutputStream().close();
        var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(3, TimeUnit.MINUTES), "bin/hangar did not finish");
        return new Stack.Result(process.exitValue(), out, "");
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static JsonNode python(Path script, String stdin) throws Exception {
        var process = new ProcessBuilder(PYTHON, script.toString()).start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES) && process.exitValue() == 0, script + " failed: " + err);
        return Json.MAPPER.readTree(out);
    }

    private ServiceProcess start(String module, String name, int port, Map<String, String> env, Map<String, String> props)
            throws Exception {
        var service = ServiceProcess.start(module, TAG + "-" + name, port, env, props);
        services.add(service);
        return service;
    }

    /** The tiny-lm image of this tree, pushed so it has a digest (only changed layers are built and pushed). */
    private static String image() throws Exception {
        String tag = IMAGE + ":test";
        Stack.docker("build", "-q", "--network", "host", "-t", tag, Stack.ROOT.resolve("models/tiny-lm").toString());
        Stack.docker("push", "-q", tag);
        String repoDigests = Stack.docker("inspect", "--format", "{{range .RepoDigests}}{{println .}}{{end}}", tag);
        return repoDigests.lines().filter(l -> l.startsWith(IMAGE + "@")).findFirst()
                .map(l -> l.substring(l.indexOf('@') + 1).strip()).orElseThrow(() -> new AssertionError("no digest: " + repoDigests));
    }

    /** models/tiny-lm/hangar.yaml (its warm block included), as REF, pinned to the digest. */
    private static void register(String registry, String digest, String token) throws Exception {
        ObjectNode spec = (ObjectNode) Json.YAML.readTree(Files.readString(Stack.ROOT.resolve("models/tiny-lm/hangar.yaml")));
        spec.put("ref", REF).put("image", IMAGE);
        spec.set("digests", Json.MAPPER.createObjectNode().put("amd64", digest));
        var put = Stack.HTTP.send(HttpRequest.newBuilder(URI.create(registry + "/v1/processors/" + TAG + "/tiny-lm/versions/1"))
                .header("Content-Type", "application/json").header(InternalAuth.TOKEN_HEADER, token)
                .header(InternalAuth.OWNER_HEADER, "alice").PUT(HttpRequest.BodyPublishers.ofString(Json.write(spec))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(put.statusCode() / 100 == 2, "registering the spec: " + put.statusCode() + " " + put.body());
    }


    private void consumeEvents() {
        var props = new HashMap<String, Object>(StackCredentials.kafka());
        props.putAll(Map.of("key.deserializer", StringDeserializer.class.getName(),
                "value.deserializer", StringDeserializer.class.getName()));
        try (var kafka = new KafkaConsumer<String, String>(props)) {
            var partition = new TopicPartition(EVENTS, 0);
            kafka.assign(List.of(partition));
            kafka.seekToBeginning(List.of(partition));
            while (consuming) {
                for (var record : kafka.poll(Duration.ofMillis(200))) {
                    events.add(Json.MAPPER.readTree(record.value()));
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<JsonNode> eventsOf(String id) {
        return events.stream().filter(e -> e.path("execution_id").asText().equals(id)).toList();
    }

    private static String type(JsonNode event) {
        return event.path("event").path("type").asText();
    }

}
