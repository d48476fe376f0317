package dev.hangar.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hangar.contracts.InternalAuth;
import dev.hangar.kit.testing.StackCredentials;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Training sessions through the real stack (docs/training-sessions.md): processes of this tree -
 * a registry (its own database), a gateway (its own database, this test's topics) and an
 * executor - on the stack's Kafka, PostgreSQL, S3 and Docker; the session processor image built
 * from models/tiny-lm/session and pushed to the OCI registry. Mock mode: the tiny randomly
 * initialised model (real PyTorch forward/backward and AdamW, no pretrained base needed to show
 * that the loss falls). JSON here is read and written as trees, never with the gateway's records.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainingSessionIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TAG = "session-it-" + UUID.randomUUID().toString().substring(0, 8);
    static final String TOPICS = "hangar.session-it." + TAG;
    static final String ALICE = "alice-" + TAG, BOB = "bob-" + TAG;
    static final String ALICE_TOKEN = "hgr_alice_" + UUID.randomUUID().toString().replace("-", "");
    static final String BOB_TOKEN = "hgr_bob_" + UUID.randomUUID().toString().replace("-", "");
    static final String BASE = "hangar-it/tiny-lm";
    static final String REF = TAG + "/tiny-lm-session@1";
    static final String SAMPLER = TAG + "/tiny-lm@1";
    static final String SAMPLER_IMAGE = "127.0.0.1:5000/hangar-session-it/tiny-lm";
    /** The gateway's database (a tree with migrations of its own runs it on its own: -Dhangar.it.session-gateway-db=…). */
    static final String GATEWAY_DB = System.getProperty("hangar.it.session-gateway-db", "hangar_gateway_session");

    private ServiceProcess registry;
    private ServiceProcess gateway;
    private ServiceProcess executor;
    private Path work;

    @BeforeAll
    void startServices() throws Exception {
        work = Files.createTempDirectory("hangar-session-it");
        Stack.createTopics(TOPICS + ".requested", TOPICS + ".events", TOPICS + ".control");
        String image = buildAndPushImage();
        String token = StackCredentials.internalToken(); // the stack's storage service checks it on presign
        int internalPort = ServiceProcess.freePort();
        registry = ServiceProcess.start("registry-service", TAG + "-registry", Map.of(
                "HANGAR_DB_URL", "jdbc:postgresql://127.0.0.1:5432/hangar_registry_session",
                "HANGAR_INTERNAL_TOKEN", token, "HANGAR_VERIFY_DIGESTS", "false"), Map.of());
        register(image);
        registerSampler(pushSampler());
        gateway = ServiceProcess.start("gateway-service", TAG + "-gateway", Map.of(
                "HANGAR_DB_URL", "jdbc:postgresql://127.0.0.1:5432/" + GATEWAY_DB,
                "HANGAR_INTERNAL_TOKEN", token,
                "HANGAR_SECRETS_KEY", "session-it-secrets-key-" + UUID.randomUUID(),
                "HANGAR_GATEWAY_ID", TAG,
                "HANGAR_GATEWAY_INTERNAL_PORT", String.valueOf(internalPort),
                "HANGAR_REGISTRY_URL", registry.url(),
                "HANGAR_BOOTSTRAP_TOKENS", ALICE + "=" + ALICE_TOKEN + "," + BOB + "=" + BOB_TOKEN), Map.of(
                "hangar.gateway.models.\"" + BASE + "\".sampler", SAMPLER, // models/tiny-lm, for Tinker's asample
                "hangar.gateway.models.\"" + BASE + "\".session", REF,
                "hangar.gateway.models.\"" + BASE + "\".mode", "mock",
                "mp.messaging.incoming.run-events.topic", TOPICS + ".events",
                "mp.messaging.incoming.run-events.dead-letter-queue.topic", TOPICS + ".events.dlq",
                "mp.messaging.outgoing.run-requests.topic", TOPICS + ".requested",
                "mp.messaging.outgoing.run-control.topic", TOPICS + ".control"));
        executor = ServiceProcess.start("executor-service", TAG + "-executor", Map.of(
                "HANGAR_EXECUTOR_ID", TAG + "-executor",
                "HANGAR_EXECUTOR_WORK_DIR", work.resolve("executor").toString(),
                "HANGAR_INTERNAL_TOKEN", token,
                "HANGAR_GATEWAY_INTERNAL_URL", "http://127.0.0.1:" + internalPort,
                "HANGAR_REGISTRY_URL", registry.url()), Map.of(
                "mp.messaging.incoming.run-requests.topic", TOPICS + ".requested",
                "mp.messaging.incoming.run-requests.group.id", TOPICS + ".group",
                "mp.messaging.incoming.run-requests.dead-letter-queue.topic", TOPICS + ".requested.dlq",
                "mp.messaging.outgoing.run-events.topic", TOPICS + ".events",
                "mp.messaging.incoming.run-control.topic", TOPICS + ".control",
                "hangar.executor.warm.monitor-interval", "PT0.5S"));
    }

    @AfterAll
    void stopServices() throws Exception {
        if (gateway != null) { // the closing runs reach the executor before the gateway goes (else the next run's gateway sends them)
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingInOutbox() == 0);
        }
        for (var process : new ServiceProcess[] {executor, gateway, registry}) {
            if (process != null) {
                process.close();
            }
        }
        for (String c : containers()) { // the executor removes its own at shutdown; whatever is left is this test's
            Stack.docker("rm", "-f", c);
        }
    }

    @Test
    void theLossFallsOverForwardBackwardAndOptimStepInTheSessionsOneContainer() throws Exception {
        String session = createSession(ALICE_TOKEN, 8);
        var losses = new ArrayList<Double>();
        for (int step = 0; step < 4; step++) {
            String fb = call(ALICE_TOKEN, session, "forward_backward", fbArgs());
            String optim = call(ALICE_TOKEN, session, "optim_step", "{\"adam_params\":{\"learning_rate\":0.03}}");
            losses.add(completed(ALICE_TOKEN, fb).path("loss").asDouble()); // submitted back to back: they run in order
            assertEquals("optim_step", completed(ALICE_TOKEN, optim).path("type").asText());
        }
        assertTrue(losses.getLast() < losses.getFirst() * 0.9, "the loss falls: " + losses);
        String saved = call(ALICE_TOKEN, session, "save_weights_for_sampler", "{\"path\":\"final\"}");
        assertEquals("hangar://" + session + "/sampler_weights/final", completed(ALICE_TOKEN, saved).path("path").asText());
        var run = get(ALICE_TOKEN, "/v1/runs/" + saved);
        assertTrue(run.body().contains("sampler_weights/final.hlora"), "the packed adapter is a stored output: " + run.body());
        assertEquals(1, containersOf(session).size(), "every call of the session ran in one container");
        close(ALICE_TOKEN, session);
    }

    /**
     * Issue #10: a session's saved weights are a checkpoint, and a NEW session (another container,
     * nothing of the first in its memory) loads them through the gateway: its loss on the batch is
     * the first session's last loss, not the base model's. Another owner cannot load it until it is
     * published, and is answered as for a path nobody has. A sampler save is sampled at once.
     */
    @Test
    void aNewSessionLoadsAnotherSessionsSavedWeightsAndAnotherOwnerOnlyOncePublished() throws Exception {
        String first = createSession(ALICE_TOKEN, 8);
        double base = completed(ALICE_TOKEN, call(ALICE_TOKEN, first, "forward", fwdArgs())).path("loss").asDouble();
        for (int step = 0; step < 3; step++) {
            call(ALICE_TOKEN, first, "forward_backward", fbArgs());
            completed(ALICE_TOKEN, call(ALICE_TOKEN, first, "optim_step", "{\"adam_params\":{\"learning_rate\":0.05}}"));
        }
        double trained = completed(ALICE_TOKEN, call(ALICE_TOKEN, first, "forward", fwdArgs())).path("loss").asDouble();
        assertTrue(trained < base * 0.95, "trained " + trained + " vs base " + base);
        String path = completed(ALICE_TOKEN, call(ALICE_TOKEN, first, "save_weights", "{\"path\":\"after-3\"}")).path("path").asText();
        assertEquals("hangar://" + first + "/weights/after-3", path);
        String sampler = completed(ALICE_TOKEN, call(ALICE_TOKEN, first, "save_weights_for_sampler", "{\"path\":\"s3\"}"))
                .path("path").asText();

        // listed at once: the future's completion waited for the registration
        var listed = JSON.readTree(get(ALICE_TOKEN, "/v1/checkpoints?run_id=" + first).body());
        assertEquals(2, listed.path("cursor").path("total_count").asInt(), listed.toString());
        var info = JSON.readTree(get(ALICE_TOKEN, "/v1/checkpoints/info?path=" + java.net.URLEncoder.encode(path,
                java.nio.charset.StandardCharsets.UTF_8)).body());
        assertEquals(ALICE, info.path("owner").asText(), info.toString());
        assertEquals(BASE, info.path("base_model").asText());
        assertEquals(8, info.path("lora").path("rank").asInt());
        assertTrue(info.path("size_bytes").asLong() > 0, info.toString());
        var sampled = post(ALICE_TOKEN, "/v1/sample", "{\"model_path\":\"" + sampler + "\",\"prompt\":{\"chunks\":[{\"type\":"
                + "\"encoded_text\",\"tokens\":[1,8,15,22]}]},\"sampling_params\":{\"max_tokens\":4,\"seed\":3,\"stop\":[]}}");
        assertEquals(200, sampled.statusCode(), sampled.body());
        assertEquals(4, JSON.readTree(sampled.body()).path("sequences").path(0).path("tokens").size(), sampled.body());
        close(ALICE_TOKEN, first); // its container and state go: what the second loads comes from the checkpoint

        String second = createSession(ALICE_TOKEN, 8);
        assertEquals(base, completed(ALICE_TOKEN, call(ALICE_TOKEN, second, "forward", fwdArgs())).path("loss").asDouble(), 1e-6,
                "a new session starts from the base model");
        var loaded = completed(ALICE_TOKEN, call(ALICE_TOKEN, second, "load_weights", "{\"path\":\"" + path + "\",\"optimizer\":true}"));
        assertEquals(path, loaded.path("path").asText(), loaded.toString());
        assertEquals(trained, completed(ALICE_TOKEN, call(ALICE_TOKEN, second, "forward", fwdArgs())).path("loss").asDouble(), 1e-6,
                "the loaded session's loss is the first session's last loss");

        // Bob: unpublished is not found (as a path nobody has), nothing is loaded; published, he loads it
        String bobs = createSession(BOB_TOKEN, 8);
        var refused = post(BOB_TOKEN, "/v1/training/sessions/" + bobs + "/calls/load_weights", "{\"args\":{\"path\":\"" + path + "\"}}");
        var nobodys = post(BOB_TOKEN, "/v1/training/sessions/" + bobs + "/calls/load_weights",
                "{\"args\":{\"path\":\"hangar://" + first + "/weights/never-saved\"}}");
        assertEquals(404, refused.statusCode(), refused.body());
        assertEquals(404, nobodys.statusCode(), nobodys.body());
        assertEquals("ERR_CHECKPOINT_NOT_FOUND", JSON.readTree(refused.body()).path("code").asText());
        assertEquals(JSON.readTree(refused.body()).path("detail").asText().replace(path, "P"),
                JSON.readTree(nobodys.body()).path("detail").asText().replace("hangar://" + first + "/weights/never-saved", "P"));
        assertEquals(base, completed(BOB_TOKEN, call(BOB_TOKEN, bobs, "forward", fwdArgs())).path("loss").asDouble(), 1e-6);
        var tinkerRefused = tinker(BOB_TOKEN, "load_weights", "{\"model_id\":\"" + bobs + "\",\"path\":\"tinker://"
                + path.substring("hangar://".length()) + "\",\"optimizer\":false}", null);
        assertEquals(404, tinkerRefused.statusCode(), tinkerRefused.body());
        var published = post(ALICE_TOKEN, "/v1/checkpoints/publish", "{\"path\":\"" + path + "\"}");
        assertEquals(200, published.statusCode(), published.body());
        completed(BOB_TOKEN, call(BOB_TOKEN, bobs, "load_weights", "{\"path\":\"" + path + "\",\"optimizer\":false}"));
        assertEquals(trained, completed(BOB_TOKEN, call(BOB_TOKEN, bobs, "forward", fwdArgs())).path("loss").asDouble(), 1e-6);

        // a checkpoint of another LoRA rank is refused before anything runs, saying why
        String wide = createSession(ALICE_TOKEN, 4);
        var unfit = post(ALICE_TOKEN, "/v1/training/sessions/" + wide + "/calls/load_weights", "{\"args\":{\"path\":\"" + path + "\"}}");
        assertEquals(400, unfit.statusCode(), unfit.body());
        assertTrue(unfit.body().contains("rank 8"), unfit.body());
        for (String s : List.of(second, bobs, wide)) {
            close(s.equals(bobs) ? BOB_TOKEN : ALICE_TOKEN, s);
        }
    }

    @Test
    void twoSessionsOfOneOwnerNeverShareState() throws Exception {
        String a = createSession(ALICE_TOKEN, 8);
        String b = createSession(ALICE_TOKEN, 8);
        double before = completed(ALICE_TOKEN, call(ALICE_TOKEN, b, "forward", fwdArgs())).path("loss").asDouble();
        for (int step = 0; step < 3; step++) {
            call(ALICE_TOKEN, a, "forward_backward", fbArgs());
            completed(ALICE_TOKEN, call(ALICE_TOKEN, a, "optim_step", "{\"adam_params\":{\"learning_rate\":0.05}}"));
        }
        double trainedA = completed(ALICE_TOKEN, call(ALICE_TOKEN, a, "forward", fwdArgs())).path("loss").asDouble();
        double after = completed(ALICE_TOKEN, call(ALICE_TOKEN, b, "forward", fwdArgs())).path("loss").asDouble();
        assertNotEquals(before, trainedA, "session a trained");
        assertEquals(before, after, "training session a left session b as it was");
        var inA = containersOf(a);
        var inB = containersOf(b);
        assertEquals(1, inA.size());
        assertEquals(1, inB.size());
        assertNotEquals(inA, inB, "each session has a container of its own");
        close(ALICE_TOKEN, a);
        close(ALICE_TOKEN, b);
        await().atMost(Duration.ofSeconds(30)).until(() -> containersOf(a).isEmpty() && containersOf(b).isEmpty());
    }

    @Test
    void anotherOwnerCannotCallOrReadASession() throws Exception {
        String session = createSession(ALICE_TOKEN, 4);
        String future = call(ALICE_TOKEN, session, "forward", fwdArgs());
        for (var response : List.of(get(BOB_TOKEN, "/v1/training/sessions/" + session),
                post(BOB_TOKEN, "/v1/training/sessions/" + session + "/calls/forward", "{\"args\":" + fwdArgs() + "}"),
                post(BOB_TOKEN, "/v1/training/sessions/" + session + "/heartbeat", "{}"),
                post(BOB_TOKEN, "/v1/training/sessions/" + session + "/close", "{}"),
                get(BOB_TOKEN, "/v1/training/futures/" + future))) {
            assertEquals(404, response.statusCode(), response.body());
            assertEquals("ERR_SESSION_NOT_FOUND", JSON.readTree(response.body()).path("code").asText(), response.body());
        }
        assertEquals(404, get(BOB_TOKEN, "/v1/runs/" + future).statusCode(), "nor the call's run");
        var tinker = tinker(BOB_TOKEN, "retrieve_future", "{\"request_id\":\"" + future + "\"}", null);
        assertEquals(404, tinker.statusCode(), tinker.body());
        assertEquals("open", JSON.readTree(get(ALICE_TOKEN, "/v1/training/sessions/" + session).body()).path("status").asText(),
                "bob's close did nothing");
        completed(ALICE_TOKEN, future);
        close(ALICE_TOKEN, session);
    }

    @Test
    void killingTheSessionsContainerGivesSessionLostOnTheNextCall() throws Exception {
        String session = createSession(ALICE_TOKEN, 4);
        completed(ALICE_TOKEN, call(ALICE_TOKEN, session, "forward_backward", fbArgs()));
        var held = containersOf(session);
        assertEquals(1, held.size());
        Stack.docker("kill", held.iterator().next());

        String next = call(ALICE_TOKEN, session, "optim_step", "{\"adam_params\":{\"learning_rate\":0.01}}");
        var result = awaitDone(ALICE_TOKEN, next);
        assertEquals("failed", result.path("status").asText(), result.toString());
        assertEquals("ERR_SESSION_LOST", result.path("error").path("code").asText(), result.toString());
        String again = call(ALICE_TOKEN, session, "forward", fwdArgs());
        assertEquals("ERR_SESSION_LOST", awaitDone(ALICE_TOKEN, again).path("error").path("code").asText(),
                "never a fresh state under the same session");
        close(ALICE_TOKEN, session);
    }

    @Test
    void aClientWrittenFromTinkersPublishedProtocolTrainsThroughApiV1() throws Exception {
        var caps = JSON.readTree(Stack.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/get_server_capabilities"))
                .header("x-api-key", ALICE_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(BASE, caps.path("supported_models").path(0).path("model_name").asText(), caps.toString());
        assertEquals(401, tinker("not-a-token", "create_session", "{\"tags\":[],\"sdk_version\":\"x\"}", null).statusCode());

        String clientSession = ok(tinker(ALICE_TOKEN, "create_session",
                "{\"tags\":[\"it\"],\"user_metadata\":null,\"sdk_version\":\"0.0-it\",\"type\":\"create_session\"}", null))
                .path("session_id").asText();
        String create = "{\"session_id\":\"" + clientSession + "\",\"model_seq_id\":0,\"base_model\":\"" + BASE
                + "\",\"lora_config\":{\"rank\":8,\"train_mlp\":true,\"train_attn\":true,\"train_unembed\":true},\"type\":\"create_model\"}";
        var first = ok(tinker(ALICE_TOKEN, "create_model", create, "create-" + TAG));
        var retried = ok(tinker(ALICE_TOKEN, "create_model", create, "create-" + TAG));
        assertEquals(first, retried, "x-idempotency-key: a retried create_model is the first one");
        String model = first.path("model_id").asText();
        assertEquals(model, retrieve(first.path("request_id").asText()).path("model_id").asText());

        var losses = new ArrayList<Double>();
        for (int seq = 1; seq <= 4; seq++) {
            String fb = ok(tinker(ALICE_TOKEN, "forward_backward", "{\"forward_backward_input\":" + fwdInput()
                    + ",\"model_id\":\"" + model + "\",\"seq_id\":" + seq + "}", null)).path("request_id").asText();
            String step = ok(tinker(ALICE_TOKEN, "optim_step", "{\"adam_params\":{\"learning_rate\":0.03,\"beta1\":0.9,"
                    + "\"beta2\":0.95,\"eps\":1e-12},\"model_id\":\"" + model + "\",\"type\":\"optim_step\"}", null))
                    .path("request_id").asText();
            var out = retrieve(fb);
            assertEquals("float32", out.path("loss_fn_outputs").path(0).path("logprobs").path("dtype").asText(), out.toString());
            losses.add(out.path("loss").asDouble());
            assertTrue(retrieve(step).has("metrics"));
            ok(tinker(ALICE_TOKEN, "session_heartbeat", "{\"session_id\":\"" + clientSession + "\"}", null));
        }
        assertTrue(losses.getLast() < losses.getFirst() * 0.9, "the loss falls: " + losses);

        String save = ok(tinker(ALICE_TOKEN, "save_weights", "{\"model_id\":\"" + model + "\",\"path\":\"s4\"}", null))
                .path("request_id").asText();
        String path = retrieve(save).path("path").asText();
        assertEquals("hangar://" + model + "/weights/s4", path);
        var info = ok(tinker(ALICE_TOKEN, "weights_info", "{\"model_path\":\"" + path + "\"}", null));
        assertEquals(8, info.path("lora_rank").asInt(), info.toString());
        String load = ok(tinker(ALICE_TOKEN, "load_weights", "{\"model_id\":\"" + model + "\",\"path\":\"" + path + "\"}", null))
                .path("request_id").asText();
        assertEquals(path, retrieve(load).path("path").asText());
        String lost = ok(tinker(ALICE_TOKEN, "load_weights", "{\"model_id\":\"" + model + "\",\"path\":\"hangar://" + model
                + "/weights/never-saved\"}", null)).path("request_id").asText();
        var failed = retrieveRaw(lost);
        assertEquals("user", failed.path("category").asText(), failed.toString());
        assertTrue(failed.path("error").asText().contains("never-saved"), failed.toString());
        var pending = ok(tinker(ALICE_TOKEN, "retrieve_future", "{\"request_id\":\"" + ok(tinker(ALICE_TOKEN, "forward",
                "{\"forward_input\":" + fwdInput() + ",\"model_id\":\"" + model + "\"}", null)).path("request_id").asText() + "\"}", null));
        if (pending.path("type").asText().equals("try_again")) {
            assertTrue(pending.path("retry_after_ms").asLong() > 0, pending.toString());
        }
        assertEquals(404, tinker(ALICE_TOKEN, "session_heartbeat", "{\"session_id\":\"tc_nosuchsession000000000000\"}", null)
                .statusCode());
        ok(tinker(ALICE_TOKEN, "unload_model", "{\"model_id\":\"" + model + "\"}", null));
    }

    /**
     * Tinker's sampling, from its published protocol only: create_sampling_session on the base
     * model, asample, then retrieve_future through try_again to a SampleResponse computed by the
     * real tiny-lm processor (mock weights); the same seed gives the same tokens; another owner
     * cannot read the future nor sample through the session.
     */
    @Test
    void aClientWrittenFromTinkersPublishedProtocolSamplesThroughApiV1() throws Exception {
        String clientSession = ok(tinker(ALICE_TOKEN, "create_session", "{\"tags\":[],\"sdk_version\":\"0.0-it\"}",
                "sample-session-" + TAG)).path("session_id").asText();
        assertEquals(clientSession, ok(tinker(ALICE_TOKEN, "create_session", "{\"tags\":[],\"sdk_version\":\"0.0-it\"}",
                "sample-session-" + TAG)).path("session_id").asText(), "x-idempotency-key: a retried create_session is the first");
        var created = ok(tinker(ALICE_TOKEN, "create_sampling_session", "{\"session_id\":\"" + clientSession
                + "\",\"sampling_session_seq_id\":0,\"base_model\":\"" + BASE + "\",\"type\":\"create_sampling_session\"}", null));
        assertEquals("create_sampling_session", created.path("type").asText(), created.toString());
        String samplingSession = created.path("sampling_session_id").asText();
        String sample = "{\"sampling_session_id\":\"" + samplingSession + "\",\"seq_id\":%d,\"num_samples\":2,"
                + "\"prompt\":{\"chunks\":[{\"type\":\"encoded_text\",\"tokens\":[1,8,15,22]}]},"
                + "\"sampling_params\":{\"max_tokens\":6,\"temperature\":1.0,\"top_k\":-1,\"top_p\":1.0,\"seed\":11,\"stop\":[]},"
                + "\"prompt_logprobs\":true,\"type\":\"sample\"}";
        String first = ok(tinker(ALICE_TOKEN, "asample", sample.formatted(1), null)).path("request_id").asText();
        var response = retrieve(first);
        assertEquals("sample", response.path("type").asText(), response.toString());
        assertEquals(2, response.path("sequences").size(), response.toString());
        for (JsonNode sequence : response.path("sequences")) {
            assertEquals(6, sequence.path("tokens").size(), "stop [] samples max_tokens: " + sequence);
            assertEquals("length", sequence.path("stop_reason").asText());
            for (JsonNode logprob : sequence.path("logprobs")) {
                assertTrue(Double.isFinite(logprob.asDouble()) && logprob.asDouble() <= 0, sequence.toString());
            }
        }
        assertTrue(response.path("prompt_logprobs").path(0).isNull(), response.toString());
        assertEquals(4, response.path("prompt_logprobs").size());
        assertEquals(404, tinker(BOB_TOKEN, "retrieve_future", "{\"request_id\":\"" + first + "\"}", null).statusCode());
        assertEquals(404, tinker(BOB_TOKEN, "asample", sample.formatted(2), null).statusCode());
        String second = ok(tinker(ALICE_TOKEN, "asample", sample.formatted(2), null)).path("request_id").asText();
        assertNotEquals(first, second);
        var again = retrieve(second);
        assertEquals(response.path("sequences").path(0).path("tokens"), again.path("sequences").path(0).path("tokens"),
                "the same seed gives the same tokens");
        assertEquals(response.path("sequences").path(1).path("tokens"), again.path("sequences").path(1).path("tokens"));
    }

    // ---- Hangar's /v1/training

    private String createSession(String token, int rank) throws Exception {
        var created = post(token, "/v1/training/sessions", "{\"base_model\":\"" + BASE + "\",\"lora_config\":{\"rank\":" + rank + "}}");
        assertEquals(201, created.statusCode(), created.body());
        var body = JSON.readTree(created.body());
        String session = body.path("session_id").asText();
        assertEquals(session, completed(token, body.path("created").path("future_id").asText()).path("model_id").asText());
        return session;
    }

    private String call(String token, String session, String op, String args) throws Exception {
        var response = post(token, "/v1/training/sessions/" + session + "/calls/" + op, "{\"args\":" + args + "}");
        assertEquals(202, response.statusCode(), response.body());
        return JSON.readTree(response.body()).path("future_id").asText();
    }

    private void close(String token, String session) throws Exception {
        var response = post(token, "/v1/training/sessions/" + session + "/close", "{}");
        assertEquals(200, response.statusCode(), response.body());
    }

    private JsonNode completed(String token, String future) throws Exception {
        var result = awaitDone(token, future);
        assertEquals("completed", result.path("status").asText(), result.toString());
        return result.path("result");
    }

    private JsonNode awaitDone(String token, String future) throws Exception {
        var last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = JSON.readTree(get(token, "/v1/training/futures/" + future).body());
            return !last[0].path("status").asText().equals("pending");
        });
        return last[0];
    }

    // ---- Tinker's /api/v1, written from its published protocol only

    private HttpResponse<String> tinker(String apiKey, String endpoint, String body, String idempotencyKey) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/" + endpoint)).header("x-api-key", apiKey)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            request.header("x-idempotency-key", idempotencyKey);
        }
        return Stack.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(HttpResponse<String> response) throws Exception {
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    /** Polls retrieve_future as a Tinker client does: again after retry_after_ms while it answers try_again. */
    private JsonNode retrieveRaw(String requestId) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < until) {
            var answer = ok(tinker(ALICE_TOKEN, "retrieve_future", "{\"request_id\":\"" + requestId + "\"}", null));
            if (!answer.path("type").asText().equals("try_again")) {
                return answer;
            }
            assertEquals(requestId, answer.path("request_id").asText());
            Thread.sleep(Math.min(1000, answer.path("retry_after_ms").asLong(100)));
        }
        throw new AssertionError(requestId + " still pending after 90 s");
    }

    private JsonNode retrieve(String requestId) throws Exception {
        var answer = retrieveRaw(requestId);
        assertTrue(!answer.has("category"), "the future failed: " + answer);
        return answer;
    }

    // ---- data: token ids below the tiny model's vocabulary

    private static String fwdInput() {
        var tokens = new ArrayList<Integer>();
        for (int i = 0; i < 12; i++) {
            tokens.add(1 + (i * 7) % 40);
        }
        var input = tokens.subList(0, 11);
        var targets = tokens.subList(1, 12);
        var weights = new ArrayList<Double>();
        targets.forEach(t -> weights.add(1.0));
        return "{\"data\":[{\"model_input\":{\"chunks\":[{\"type\":\"encoded_text\",\"tokens\":" + input + "}]},"
                + "\"loss_fn_inputs\":{\"target_tokens\":{\"data\":" + targets + ",\"dtype\":\"int64\",\"shape\":[11]},"
                + "\"weights\":{\"data\":" + weights + ",\"dtype\":\"float32\",\"shape\":[11]}}}],\"loss_fn\":\"cross_entropy\"}";
    }

    private static String fbArgs() {
        return "{\"forward_backward_input\":" + fwdInput() + "}";
    }

    private static String fwdArgs() {
        return "{\"forward_input\":" + fwdInput() + "}";
    }

    // ---- HTTP, registry, Docker, Kafka

    private HttpResponse<String> get(String token, String path) throws Exception {
        return Stack.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url() + path)).header("Authorization", "Bearer " + token)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String token, String path, String body) throws Exception {
        return Stack.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url() + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Builds the tiny-lm image and the session image on it from this tree, pushes the session image; its digest-qualified name. */
    private static String buildAndPushImage() throws Exception {
        Path model = Stack.ROOT.resolve("models/tiny-lm");
        Stack.docker("build", "-q", "--network", "host", "-t", "hangar-session-it/tiny-lm:base", model.toString());
        String repo = "127.0.0.1:5000/hangar-session-it/tiny-lm-session";
        Stack.docker("build", "-q", "--network", "host", "--build-arg", "BASE=hangar-session-it/tiny-lm:base",
                "-f", model.resolve("session/Dockerfile").toString(), "-t", repo + ":it", model.toString());
        Stack.docker("push", "-q", repo + ":it");
        return Stack.docker("inspect", "--format", "{{index .RepoDigests 0}}", repo + ":it").strip();
    }

    /** Registers this test's session processor: the spec of models/tiny-lm/session/hangar.yaml, pinned to the pushed image. */
    private void register(String image) throws Exception {
        String digest = image.substring(image.indexOf('@') + 1);
        String spec = """
                {"ref":"%s","description":"session it","image":"%s","digests":{"amd64":"%s"},
                 "runtime":{"cpu":1.0,"memory_mb":1024,"gpus":0,"timeout_seconds":120},"secrets":[],
                 "inputs_schema":{"type":"object","required":["session_id","op"]},"outputs":[],
                 "retry":{"max_attempts":2,"backoff_seconds":1},
                 "warm":{"min_warm":0,"max_warm":1,"max_concurrency":1,"idle_seconds":600,"scope":"session"}}"""
                .formatted(REF, image.substring(0, image.indexOf('@')), digest);
        String[] parts = REF.split("[/@]");
        var put = Stack.HTTP.send(HttpRequest.newBuilder(URI.create(registry.url() + "/v1/processors/" + parts[0] + "/" + parts[1]
                        + "/versions/" + parts[2])).header("Content-Type", "application/json")
                .header(InternalAuth.TOKEN_HEADER, StackCredentials.internalToken()).header(InternalAuth.OWNER_HEADER, ALICE)
                .PUT(HttpRequest.BodyPublishers.ofString(spec)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(put.statusCode() / 100 == 2, "registering the spec: " + put.statusCode() + " " + put.body());
    }

    /** The tiny-lm sampling image of this tree (built by buildAndPushImage), pushed; its digest. */
    private static String pushSampler() throws Exception {
        Stack.docker("tag", "hangar-session-it/tiny-lm:base", SAMPLER_IMAGE + ":it");
        Stack.docker("push", "-q", SAMPLER_IMAGE + ":it");
        String digests = Stack.docker("inspect", "--format", "{{range .RepoDigests}}{{println .}}{{end}}", SAMPLER_IMAGE + ":it");
        return digests.lines().filter(l -> l.startsWith(SAMPLER_IMAGE + "@")).findFirst()
                .map(l -> l.substring(l.indexOf('@') + 1).strip()).orElseThrow(() -> new AssertionError("no digest: " + digests));
    }

    /** models/tiny-lm/hangar.yaml as SAMPLER, pinned to the pushed digest. */
    private void registerSampler(String digest) throws Exception {
        var spec = (com.fasterxml.jackson.databind.node.ObjectNode) dev.hangar.contracts.Json.YAML.readTree(
                Files.readString(Stack.ROOT.resolve("models/tiny-lm/hangar.yaml")));
        spec.put("ref", SAMPLER).put("image", SAMPLER_IMAGE);
        spec.set("digests", JSON.createObjectNode().put("amd64", digest));
        String[] parts = SAMPLER.split("[/@]");
        var put = Stack.HTTP.send(HttpRequest.newBuilder(URI.create(registry.url() + "/v1/processors/" + parts[0] + "/" + parts[1]
                        + "/versions/" + parts[2])).header("Content-Type", "application/json")
                .header(InternalAuth.TOKEN_HEADER, StackCredentials.internalToken()).header(InternalAuth.OWNER_HEADER, ALICE)
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(spec))).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(put.statusCode() / 100 == 2, "registering the sampler: " + put.statusCode() + " " + put.body());
    }

    /** This test's executor's containers. */
    private static List<String> containers() throws Exception {
        return Stack.docker("ps", "-aq", "--no-trunc", "--filter", "label=dev.hangar.executor=" + TAG + "-executor").lines()
                .filter(l -> !l.isBlank()).toList();
    }

    /** The running containers that served a session's runs (the runs' execution ids are in their logs' prediction ids). */
    private Set<String> containersOf(String session) throws Exception {
        var found = new HashSet<String>();
        for (String c : containers()) {
            try {
                String state = Stack.docker("inspect", "--format", "{{.State.Running}}", c).strip();
                if (state.equals("true") && Stack.docker("logs", c).contains(session)) {
                    found.add(c);
                }
            } catch (IllegalStateException e) {
                // removed while we looked: it serves no session any more
            }
        }
        return found;
    }

    private static long waitingInOutbox() throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + GATEWAY_DB, "hangar",
                StackCredentials.dbPassword());
             var ps = c.prepareStatement("SELECT count(*) FROM outbox WHERE owner IN (?, ?)")) {
            ps.setString(1, ALICE);
            ps.setString(2, BOB);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }


}
