package dev.hangar.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Json;
import dev.hangar.kit.testing.StackCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * `hangar train-run create` and the checkpoint lifecycle, driven through bin/hangar as a user
 * would, against real processes of this tree: a storage service, a gateway (its own event and
 * command topics) and an executor running the real trainer image
 * (hangar/tiny-lm-train: models/tiny-lm/train, pushed here as e2e/tiny-lm-train@1) in Docker, on
 * the stack's Kafka, PostgreSQL, registry and S3, and this tree's sampling processor (models/tiny-lm) for
 * {@code hangar sample --model-path}. Mock mode: the tiny test-size model with its
 * fixed random initialisation (a few seconds of CPU), real LoRA training on it. Alice trains and
 * owns; Bob is another owner with a token of his own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CheckpointLifecycleIT {
    static final String TAG = "ckpt-e2e-" + UUID.randomUUID().toString().substring(0, 8);
    static final String TRAINER = "e2e/tiny-lm-train@1";
    /** This tree's sampling processor (models/tiny-lm), a fresh version each time, in mock mode like the trainer. */
    static final String SAMPLER_NS = "ckpt-e2e";
    static final String SAMPLER = SAMPLER_NS + "/tiny-lm@" + (System.currentTimeMillis() / 1000 % 1_000_000 + 1);
    static final String SAMPLER_IMAGE = "127.0.0.1:5000/ckpt-e2e/tiny-lm";
    static final String ALICE = "alice-" + UUID.randomUUID();
    static final String BOB = "bob-" + UUID.randomUUID();
    static final Pattern STEP = Pattern.compile("step (\\d+)/(\\d+)  loss (\\d+\\.\\d+)");

    private ServiceProcess storage;
    private ServiceProcess gateway;
    private ServiceProcess executor;
    private Path work;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("hangar-ckpt-e2e");
        String requests = "hangar." + TAG + ".requested";
        String events = "hangar." + TAG + ".events";
        String control = "hangar." + TAG + ".control";
        Stack.createTopics(requests, events, control);
        pushTrainer();
        String token = StackCredentials.internalToken();
        registerSampler(token);
        storage = ServiceProcess.start("storage-service", TAG + "-storage", Map.of("HANGAR_INTERNAL_TOKEN", token), Map.of());
        int internalPort = ServiceProcess.freePort();
        var gatewayProps = new HashMap<String, String>();
        gatewayProps.put("mp.messaging.incoming.run-events.topic", events);
        gatewayProps.put("mp.messaging.incoming.run-events.dead-letter-queue.topic", events + ".dlq");
        gatewayProps.put("mp.messaging.outgoing.run-requests.topic", requests);
        gatewayProps.put("mp.messaging.outgoing.run-control.topic", control);
        gatewayProps.put("mp.messaging.incoming.run-submissions.topic", "hangar." + TAG + ".submit");
        gatewayProps.put("mp.messaging.incoming.run-submissions.group.id", "hangar." + TAG + ".submit");
        gatewayProps.put("mp.messaging.outgoing.run-submissions-dlq.topic", "hangar." + TAG + ".submit.dlq");
        gatewayProps.put("hangar.gateway.models.\"hangar/tiny-lm\".trainer", TRAINER);
        gatewayProps.put("hangar.gateway.models.\"hangar/tiny-lm\".sampler", SAMPLER);
        gatewayProps.put("hangar.gateway.models.\"hangar/tiny-lm\".mode", "mock");
        gatewayProps.put("hangar.gateway.checkpoints.register-interval", "500ms");
        int port = ServiceProcess.freePort();
        gatewayProps.put("hangar.gateway.public-url", "http://127.0.0.1:" + port); // the stream URLs it hands out name it
        gateway = ServiceProcess.start("gateway-service", TAG + "-gateway", port, Map.of(
                "HANGAR_DB_URL", "jdbc:postgresql://127.0.0.1:5432/"
                        + System.getProperty("hangar.it.ckpt-gateway-db", "hangar_gateway_ckpt"),
                "HANGAR_INTERNAL_TOKEN", token,
                "HANGAR_SECRETS_KEY", "ckpt-e2e-secrets-key-" + UUID.randomUUID(),
                "HANGAR_GATEWAY_ID", TAG,
                "HANGAR_GATEWAY_INTERNAL_PORT", String.valueOf(internalPort),
                "HANGAR_STORAGE_URL", storage.url(),
                "HANGAR_BOOTSTRAP_TOKENS", "alice=" + ALICE + ",bob=" + BOB), gatewayProps);
        executor = ServiceProcess.start("executor-service", TAG + "-executor", Map.of(
                "HANGAR_EXECUTOR_ID", TAG,
                "HANGAR_EXECUTOR_WORK_DIR", work.resolve("executor").toString(),
                "HANGAR_INTERNAL_TOKEN", token,
                "HANGAR_GATEWAY_INTERNAL_URL", "http://127.0.0.1:" + internalPort), Map.of(
                "mp.messaging.incoming.run-requests.topic", requests,
                "mp.messaging.incoming.run-requests.group.id", requests + ".group",
                "mp.messaging.incoming.run-requests.dead-letter-queue.topic", requests + ".dlq",
                "mp.messaging.outgoing.run-events.topic", events,
                "mp.messaging.incoming.run-control.topic", control));
    }

    @AfterAll
    void stop() throws Exception {
        for (ServiceProcess p : new ServiceProcess[] {executor, gateway, storage}) {
            if (p != null) {
                p.close();
            }
        }
    }

    @Test
    void trainSaveListInfoPublishUnpublishDownloadDelete() throws Exception {
        // train-run: the loss of every step as it streams, then the checkpoint paths
        Path dataset = work.resolve("tower.jsonl");
        Files.copy(Stack.ROOT.resolve("models/tiny-lm/examples/tower.jsonl"), dataset);
        var train = as(ALICE, "train-run", "create", "--dataset", dataset.toString(), "--steps", "8", "--rank", "8",
                "--learning-rate", "0.01", "--checkpoint-every", "4", "--mode", "mock");
        assertEquals(0, train.exit(), train.toString());
        List<Double> losses = new ArrayList<>();
        for (var m = STEP.matcher(train.out()); m.find(); ) {
            assertEquals(losses.size() + 1, Integer.parseInt(m.group(1)), train.out());
            losses.add(Double.parseDouble(m.group(3)));
        }
        assertEquals(8, losses.size(), train.out());
        assertTrue((losses.get(6) + losses.get(7)) / 2 < (losses.get(0) + losses.get(1)) / 2, "the loss falls: " + losses);
        String runId = train.out().lines().findFirst().orElseThrow().split(" ")[2].replace(":", "");
        String sampler = "hangar://" + runId + "/sampler_weights/step-8";
        for (String path : List.of(sampler, "hangar://" + runId + "/sampler_weights/step-4", "hangar://" + runId + "/weights/final")) {
            assertTrue(train.out().contains("  " + path + "\n"), "checkpoint path printed: " + path + "\n" + train.out());
        }

        // save: an untrained adapter, and its metadata
        Path meta = work.resolve("saved.json");
        var save = as(ALICE, "checkpoint", "save", "--base-model", "hangar/tiny-lm", "--rank", "4", "--seed", "3",
                "--no-train-unembed", "--mode", "mock", "--output", meta.toString());
        assertEquals(0, save.exit(), save.toString());
        JsonNode saved = Json.MAPPER.readTree(meta.toFile());
        assertEquals("hangar/tiny-lm", saved.path("base_model").asText());
        String savedRun = saved.path("model_id").asText();
        assertEquals("hangar://" + savedRun + "/sampler_weights/step-0", saved.path("weights_path").asText());
        assertFalse(saved.path("saved_at").asText().isEmpty());
        assertEquals(4, saved.path("response").path("training_run").path("lora").path("rank").asInt());
        assertFalse(saved.path("response").path("training_run").path("lora").path("train_unembed").asBoolean());

        // list and info
        var list = as(ALICE, "checkpoint", "list", "--run-id", runId, "--json");
        assertEquals(0, list.exit(), list.toString());
        assertEquals(3, list.json().path("cursor").path("total_count").asInt());
        var shown = as(ALICE, "checkpoint", "list", "--limit", "1");
        assertTrue(shown.out().contains("1 of "), shown.toString());
        var info = as(ALICE, "checkpoint", "info", sampler, "--json");
        assertEquals(0, info.exit(), info.toString());
        assertEquals(8, info.json().path("lora").path("rank").asInt());
        assertEquals("hangar/tiny-lm", info.json().path("base_model").asText());
        assertFalse(info.json().path("public").asBoolean());
        var runs = as(ALICE, "runs", "info", runId);
        assertTrue(runs.out().contains("training run") && runs.out().contains(sampler), runs.toString());
        var runsList = as(ALICE, "runs", "list", "--training", "--json");
        assertTrue(runsList.out().contains(runId), runsList.toString());

        // another owner: nothing until published, reads once published, nothing again after unpublish
        var hidden = as(BOB, "checkpoint", "info", sampler);
        assertEquals(1, hidden.exit(), hidden.toString());
        assertTrue(hidden.err().contains("ERR_CHECKPOINT_NOT_FOUND"), hidden.toString());
        assertEquals(0, as(ALICE, "checkpoint", "publish", sampler).exit());
        var seen = as(BOB, "checkpoint", "info", sampler, "--json");
        assertEquals(0, seen.exit(), seen.toString());
        assertTrue(seen.json().path("public").asBoolean());
        Path bobs = work.resolve("bob-copy");
        var bobDownload = as(BOB, "checkpoint", "download", sampler, "--output", bobs.toString());
        assertEquals(0, bobDownload.exit(), bobDownload.toString());
        assertTrue(Files.size(bobs.resolve("step-8.hlora")) > 0);
        var bobDelete = as(BOB, "checkpoint", "delete", sampler, "--yes");
        assertTrue(bobDelete.exit() == 1 && bobDelete.err().contains("ERR_CHECKPOINT_NOT_FOUND"), bobDelete.toString());
        String[] greedy = {"--prompt", "Tower, Kilo 12, inbound for landing.", "--max-tokens", "12", "--temperature", "0", "--json"};
        var tuned = as(BOB, concat(new String[] {"sample", "--model-path", sampler}, greedy));
        assertEquals(0, tuned.exit(), tuned.toString());
        var base = as(BOB, concat(new String[] {"sample", "--base-model", "hangar/tiny-lm"}, greedy));
        assertEquals(0, base.exit(), base.toString());
        assertFalse(tuned.json().path("sequences").get(0).path("logprobs").equals(base.json().path("sequences").get(0).path("logprobs")),
                "the adapter changes what is sampled: " + tuned.out() + base.out());
        assertEquals(0, as(ALICE, "checkpoint", "unpublish", sampler).exit());
        var gone = as(BOB, "checkpoint", "download", sampler, "--output", work.resolve("bob-again").toString());
        assertTrue(gone.exit() == 1 && gone.err().contains("ERR_CHECKPOINT_NOT_FOUND"), gone.toString());
        var unsampled = as(BOB, concat(new String[] {"sample", "--model-path", sampler}, greedy));
        assertTrue(unsampled.exit() == 1 && (unsampled.out() + unsampled.err()).contains("ERR_CHECKPOINT_NOT_FOUND"), unsampled.toString());

        // download: checksum verified, extracted; an existing folder only with --force
        Path target = work.resolve("state");
        var download = as(ALICE, "checkpoint", "download", "hangar://" + runId + "/weights/final", "--output", target.toString(), "--json");
        assertEquals(0, download.exit(), download.toString());
        assertTrue(Files.isRegularFile(target.resolve("optimizer.pt")) && Files.isRegularFile(target.resolve("adapter_config.json")));
        assertEquals(64, download.json().path("sha256").asText().length());
        var again = as(ALICE, "checkpoint", "download", "hangar://" + runId + "/weights/final", "--output", target.toString());
        assertTrue(again.exit() == 1 && again.err().contains("--force"), again.toString());
        assertEquals(0, as(ALICE, "checkpoint", "download", "hangar://" + runId + "/weights/final", "--output", target.toString(),
                "--force").exit());

        // ttl set and removed; delete
        var ttl = as(ALICE, "checkpoint", "set-ttl", sampler, "--ttl", "3600");
        assertTrue(ttl.exit() == 0 && !ttl.out().contains("never"), ttl.toString());
        assertTrue(as(ALICE, "checkpoint", "set-ttl", sampler, "--remove").out().contains("expires never"));
        var delete = as(ALICE, "checkpoint", "delete", sampler, "hangar://" + savedRun + "/weights/final", "--yes");
        assertEquals(0, delete.exit(), delete.toString());
        var deleted = as(ALICE, "checkpoint", "info", sampler);
        assertTrue(deleted.exit() == 1 && deleted.err().contains("ERR_CHECKPOINT_NOT_FOUND"), deleted.toString());
        assertEquals(2, as(ALICE, "checkpoint", "list", "--run-id", runId, "--json").json().path("cursor").path("total_count").asInt());
    }

    /**
     * One row of the CLI error table (docs/cli-conventions.md, "Every error case"): who runs what,
     * the stable code it must fail with, whether the hint says "check your inputs" or "consider
     * retrying", and a piece of the message that says what is wrong.
     */
    record Case(String name, String[] argv, String code, String hint, String says) {
        static final String INPUT = "check your inputs", RETRY = "consider retrying";
    }

    /**
     * Issue #10's "every CLI error case", through bin/hangar against this tree's gateway: each row
     * exits 1 with its code, its hint and a message naming the problem, and nothing changes - no
     * checkpoint of either owner (public flag, TTL, existence), no training run, no file in the
     * scratch folder the rows point --output at.
     */
    @Test
    void everyCliErrorCaseExitsOneWithItsCodeAndHintAndChangesNothing() throws Exception {
        Path scratch = Files.createDirectories(work.resolve("errors"));
        Path bobMeta = work.resolve("bob-saved.json");
        assertEquals(0, as(BOB, "checkpoint", "save", "--base-model", "hangar/tiny-lm", "--rank", "4", "--mode", "mock",
                "--output", bobMeta.toString()).exit());
        String bobRun = Json.MAPPER.readTree(bobMeta.toFile()).path("model_id").asText();
        String bobSampler = "hangar://" + bobRun + "/sampler_weights/step-0", bobWeights = "hangar://" + bobRun + "/weights/final";
        Path aliceMeta = work.resolve("alice-saved.json");
        assertEquals(0, as(ALICE, "checkpoint", "save", "--base-model", "hangar/tiny-lm", "--rank", "4", "--mode", "mock",
                "--output", aliceMeta.toString()).exit());
        String aliceWeights = "hangar://" + Json.MAPPER.readTree(aliceMeta.toFile()).path("model_id").asText() + "/weights/final";
        Path prompt = Files.writeString(scratch.resolve("prompt.txt"), "Tower, Kilo 12.");
        Path badJson = Files.writeString(scratch.resolve("tokens.json"), "[1, 2,");
        Path dataset = Files.writeString(scratch.resolve("data.jsonl"), "{\"text\":\"x\"}\n");
        Path existing = Files.createDirectories(scratch.resolve("existing"));
        Files.writeString(existing.resolve("keep.txt"), "mine");
        String out = scratch.resolve("out.json").toString(), dl = scratch.resolve("download").toString();
        String[] sample = {"sample", "--base-model", "hangar/tiny-lm", "--prompt", "hi", "--output", out};

        try (var silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             var failing = new FailingGateway()) {
            Thread.ofVirtual().start(() -> { // accepts and never answers: --timeout must end the wait
                var held = new ArrayList<java.net.Socket>();
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (java.io.IOException closed) {
                    held.forEach(c -> { try { c.close(); } catch (java.io.IOException ignored) { } });
                }
            });
            int closedPort = ServiceProcess.freePort();
            String I = Case.INPUT, R = Case.RETRY;
            var table = List.of(
                    // every malformed path form, and where it is checked (before anything is sent)
                    row("path: kind", ALICE, I, "ERR_CHECKPOINT_PATH_INVALID", "not 'adapters'", "checkpoint", "info", "hangar://r-1/adapters/x"),
                    row("path: scheme", ALICE, I, "ERR_CHECKPOINT_PATH_INVALID", "must start with hangar://", "checkpoint", "info", "s3://r-1/weights/x"),
                    row("path: parts", ALICE, I, "ERR_CHECKPOINT_PATH_INVALID", "exactly three parts", "checkpoint", "publish", "hangar://r-1/weights"),
                    row("path: id ..", ALICE, I, "ERR_CHECKPOINT_PATH_INVALID", "checkpoint id '..'", "checkpoint", "download", "hangar://r-1/weights/..", "--output", dl),
                    row("path: run id", ALICE, I, "ERR_CHECKPOINT_PATH_INVALID", "run id 'a b'", "checkpoint", "set-ttl", "hangar://a b/weights/x", "--ttl", "5"),
                    row("path: empty run id", ALICE, I, "ERR_CHECKPOINT_PATH_INVALID", "run id ''", "checkpoint", "delete", "hangar:///weights/x", "--yes"),
                    row("path: sample", ALICE, I, "ERR_CHECKPOINT_PATH_INVALID", "not 'x'", "sample", "--model-path", "hangar://r-1/x/y", "--prompt", "hi", "--output", out),
                    row("path: list --run-id", ALICE, I, "ERR_CHECKPOINT_PATH_INVALID", "--run-id 'a b'", "checkpoint", "list", "--run-id", "a b"),
                    row("path: weights to sample", ALICE, I, "ERR_SAMPLE_INVALID", "/model_path", "sample", "--model-path", aliceWeights, "--prompt", "hi", "--output", out),
                    // unknown, and another owner's: the same answer
                    row("unknown checkpoint", ALICE, I, "ERR_CHECKPOINT_NOT_FOUND", "no checkpoint of yours", "checkpoint", "info", "hangar://r-nobody/weights/none"),
                    row("other owner: info", ALICE, I, "ERR_CHECKPOINT_NOT_FOUND", bobSampler, "checkpoint", "info", bobSampler),
                    row("other owner: publish", ALICE, I, "ERR_CHECKPOINT_NOT_FOUND", bobSampler, "checkpoint", "publish", bobSampler),
                    row("other owner: unpublish", ALICE, I, "ERR_CHECKPOINT_NOT_FOUND", bobSampler, "checkpoint", "unpublish", bobSampler),
                    row("other owner: set-ttl", ALICE, I, "ERR_CHECKPOINT_NOT_FOUND", bobWeights, "checkpoint", "set-ttl", bobWeights, "--ttl", "5"),
                    row("other owner: remove ttl", ALICE, I, "ERR_CHECKPOINT_NOT_FOUND", bobWeights, "checkpoint", "set-ttl", bobWeights, "--remove"),
                    row("other owner: delete", ALICE, I, "ERR_CHECKPOINT_NOT_FOUND", bobWeights, "checkpoint", "delete", bobWeights, "--yes"),
                    row("other owner: download", ALICE, I, "ERR_CHECKPOINT_NOT_FOUND", bobWeights, "checkpoint", "download", bobWeights, "--output", dl),
                    row("other owner: sample", ALICE, I, "ERR_CHECKPOINT_NOT_FOUND", bobSampler, "sample", "--model-path", bobSampler, "--prompt", "hi", "--output", out),
                    row("other owner: save from", ALICE, I, "ERR_CHECKPOINT_NOT_FOUND", bobSampler, "checkpoint", "save", "--model-path", bobSampler, "--output", out),
                    row("other owner: run", ALICE, I, "ERR_RUN_NOT_FOUND", bobRun, "runs", "info", bobRun),
                    row("unknown run", ALICE, I, "ERR_RUN_NOT_FOUND", "r-nonexistent", "runs", "info", "r-nonexistent"),
                    // sample's options
                    row("--prompt and --prompt-file", ALICE, I, "ERR_OPTION_INVALID", "mutually exclusive", concat(sample, new String[] {"--prompt-file", prompt.toString()})),
                    row("bad --prompt-file JSON", ALICE, I, "ERR_OPTION_INVALID", "begins like token ids", "sample", "--base-model", "hangar/tiny-lm", "--prompt-file", badJson.toString(), "--output", out),
                    row("missing --prompt-file", ALICE, I, "ERR_OPTION_INVALID", "cannot be read", "sample", "--base-model", "hangar/tiny-lm", "--prompt-file", scratch.resolve("none.txt").toString(), "--output", out),
                    row("no prompt", ALICE, I, "ERR_OPTION_INVALID", "--prompt", "sample", "--base-model", "hangar/tiny-lm", "--output", out),
                    row("no model", ALICE, I, "ERR_OPTION_INVALID", "--base-model", "sample", "--prompt", "hi", "--output", out),
                    row("unknown base model", ALICE, I, "ERR_MODEL_NOT_FOUND", "nope/model", "sample", "--base-model", "nope/model", "--prompt", "hi", "--output", out),
                    row("--temperature -1", ALICE, I, "ERR_SAMPLE_INVALID", "/sampling_params/temperature", concat(sample, new String[] {"--temperature", "-1"})),
                    row("--temperature abc", ALICE, I, "ERR_OPTION_INVALID", "'--temperature'", concat(sample, new String[] {"--temperature", "abc"})),
                    row("--top-p 0", ALICE, I, "ERR_SAMPLE_INVALID", "/sampling_params/top_p", concat(sample, new String[] {"--top-p", "0"})),
                    row("--top-p 1.5", ALICE, I, "ERR_SAMPLE_INVALID", "/sampling_params/top_p", concat(sample, new String[] {"--top-p", "1.5"})),
                    row("--top-k 0", ALICE, I, "ERR_SAMPLE_INVALID", "/sampling_params/top_k", concat(sample, new String[] {"--top-k", "0"})),
                    row("--max-tokens 0", ALICE, I, "ERR_SAMPLE_INVALID", "/sampling_params/max_tokens", concat(sample, new String[] {"--max-tokens", "0"})),
                    row("--max-tokens 256", ALICE, I, "ERR_SAMPLE_INVALID", "/sampling_params/max_tokens", concat(sample, new String[] {"--max-tokens", "256"})),
                    row("--num-samples 0", ALICE, I, "ERR_SAMPLE_INVALID", "/num_samples", concat(sample, new String[] {"--num-samples", "0"})),
                    row("--num-samples 17", ALICE, I, "ERR_SAMPLE_INVALID", "/num_samples", concat(sample, new String[] {"--num-samples", "17"})),
                    // checkpoint commands' own refusals
                    row("delete without a terminal or --yes", ALICE, I, "ERR_OPTION_INVALID", "pass --yes", "checkpoint", "delete", aliceWeights),
                    row("download onto an existing target", ALICE, I, "ERR_OPTION_INVALID", "--force", "checkpoint", "download", aliceWeights, "--output", existing.toString()),
                    row("set-ttl with neither", ALICE, I, "ERR_OPTION_INVALID", "--ttl", "checkpoint", "set-ttl", aliceWeights),
                    row("set-ttl with both", ALICE, I, "ERR_OPTION_INVALID", "mutually exclusive", "checkpoint", "set-ttl", aliceWeights, "--ttl", "5", "--remove"),
                    row("set-ttl 0", ALICE, I, "ERR_OPTION_INVALID", "1 or more", "checkpoint", "set-ttl", aliceWeights, "--ttl", "0"),
                    row("list --limit -1", ALICE, I, "ERR_OPTION_INVALID", "--limit", "checkpoint", "list", "--limit", "-1"),
                    row("list --offset -1", ALICE, I, "ERR_OPTION_INVALID", "--offset", "checkpoint", "list", "--offset", "-1"),
                    row("save with both sources", ALICE, I, "ERR_OPTION_INVALID", "mutually exclusive", "checkpoint", "save", "--base-model", "hangar/tiny-lm", "--model-path", bobSampler),
                    row("save --rank 0", ALICE, I, "ERR_OPTION_INVALID", "--rank", "checkpoint", "save", "--base-model", "hangar/tiny-lm", "--rank", "0", "--output", out),
                    row("save: nothing to train", ALICE, I, "ERR_OPTION_INVALID", "nothing to train", "checkpoint", "save", "--base-model", "hangar/tiny-lm", "--no-train-mlp", "--no-train-attn", "--no-train-unembed"),
                    row("save: unknown base model", ALICE, I, "ERR_OPTION_INVALID", "nope/model", "checkpoint", "save", "--base-model", "nope/model", "--output", out),
                    // train-run
                    row("train-run: no dataset file", ALICE, I, "ERR_ATTACHMENT_INVALID", "--dataset", "train-run", "create", "--dataset", scratch.resolve("none.jsonl").toString(), "--steps", "3"),
                    row("train-run: --steps 0", ALICE, I, "ERR_OPTION_INVALID", "--steps", "train-run", "create", "--dataset", dataset.toString(), "--steps", "0"),
                    row("train-run: no --steps", ALICE, I, "ERR_OPTION_INVALID", "--steps", "train-run", "create", "--dataset", dataset.toString()),
                    row("train-run: --rank 129", ALICE, I, "ERR_OPTION_INVALID", "--rank", "train-run", "create", "--dataset", dataset.toString(), "--steps", "3", "--rank", "129"),
                    row("train-run: --mode bogus", ALICE, I, "ERR_OPTION_INVALID", "'bogus'", "train-run", "create", "--dataset", dataset.toString(), "--steps", "3", "--mode", "bogus"),
                    row("runs list --limit many", ALICE, I, "ERR_OPTION_INVALID", "'--limit'", "runs", "list", "--limit", "many"),
                    row("version --bogus", ALICE, I, "ERR_OPTION_INVALID", "'--bogus'", "version", "--bogus"),
                    // global flags, keys and the wire
                    raw("--timeout 0", I, "ERR_OPTION_INVALID", "--timeout", "--timeout", "0", "checkpoint", "list", "--base-url", gateway.url(), "--api-key", ALICE),
                    raw("--timeout soon", I, "ERR_OPTION_INVALID", "--timeout", "--timeout", "soon", "checkpoint", "list", "--base-url", gateway.url(), "--api-key", ALICE),
                    raw("--base-url ftp", I, "ERR_OPTION_INVALID", "not an http(s) URL", "checkpoint", "list", "--base-url", "ftp://127.0.0.1:1", "--api-key", ALICE),
                    raw("bad key", I, "ERR_UNAUTHORIZED", "the API key from --api-key", "checkpoint", "list", "--base-url", gateway.url(), "--api-key", "wrong"),
                    raw("unreachable --base-url", R, "ERR_UNAVAILABLE", "connection refused", "checkpoint", "info", "hangar://r-1/weights/x", "--base-url", "http://127.0.0.1:" + closedPort, "--api-key", ALICE),
                    raw("--timeout expires", R, "ERR_UNAVAILABLE", "the timeout is 1500 ms", "--timeout", "1500", "checkpoint", "info", "hangar://r-1/weights/x", "--base-url", "http://127.0.0.1:" + silent.getLocalPort(), "--api-key", ALICE),
                    raw("5xx retried, then reported", R, "ERR_UNAVAILABLE", "5 attempts", "checkpoint", "info", "hangar://r-1/weights/x", "--base-url", failing.url(), "--api-key", ALICE));

            String before = state(scratch);
            var failures = new ArrayList<String>();
            for (Case c : table) {
                var r = Stack.hangar(c.argv());
                String why = check(c, r);
                if (why != null) {
                    failures.add(c.name() + ": " + why + "\n  " + String.join(" ", c.argv()) + "\n  stdout: " + r.out() + "  stderr: " + r.err());
                }
                String after = state(scratch);
                if (!before.equals(after)) {
                    failures.add(c.name() + ": it changed something\n  before " + before + "\n  after  " + after);
                    before = after;
                }
            }
            // the key nobody gave: bin/hangar's fallback (the local stack's key) left out, no config file
            var keyless = withoutKey("checkpoint", "list", "--base-url", gateway.url());
            String why = check(new Case("missing --api-key", new String[0], "ERR_UNAUTHORIZED", Case.INPUT, "no API key was given"), keyless);
            if (why != null) {
                failures.add("missing --api-key: " + why + "\n  " + keyless.err());
            }
            assertEquals(5, failing.requests.get(), "the 5xx is retried (5 attempts in all), then reported");
            assertTrue(failures.isEmpty(), failures.size() + " of " + (table.size() + 1) + " rows failed:\n" + String.join("\n", failures));
        }
    }

    /** Why the result does not meet the row, or null. */
    private static String check(Case c, Stack.Result r) {
        String err = r.err().strip();
        String last = err.isEmpty() ? "" : err.lines().toList().getLast();
        if (r.exit() != 1) {
            return "exit " + r.exit();
        }
        if (!err.startsWith("error: " + c.code() + ":")) {
            return "not error: " + c.code();
        }
        if (!last.endsWith(c.hint())) {
            return "the hint does not end in '" + c.hint() + "'";
        }
        if (!err.contains(c.says())) {
            return "the message does not say '" + c.says() + "'";
        }
        return null;
    }

    private Case row(String name, String token, String hint, String code, String says, String... argv) {
        var all = new ArrayList<>(List.of(argv));
        all.addAll(List.of("--url", gateway.url(), "--token", token));
        return new Case(name, all.toArray(String[]::new), code, hint, says);
    }

    private static Case raw(String name, String hint, String code, String says, String... argv) {
        return new Case(name, argv, code, hint, says);
    }

    /** Both owners' checkpoints (every field: public, expires_at, …) and training runs, and the scratch folder's files. */
    private String state(Path scratch) throws Exception {
        var state = new StringBuilder();
        for (String token : List.of(ALICE, BOB)) {
            for (String path : List.of("/v1/checkpoints?limit=0", "/v1/training-runs?limit=1000")) {
                var answer = Stack.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(gateway.url() + path))
                        .header("Authorization", "Bearer " + token).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(200, answer.statusCode(), answer.body());
                state.append(answer.body()).append('\n');
            }
        }
        try (var files = Files.walk(scratch)) {
            for (Path f : files.sorted().toList()) {
                state.append(scratch.relativize(f)).append(Files.isRegularFile(f) ? " " + Files.size(f) : "/").append('\n');
            }
        }
        return state.toString();
    }

    /** The CLI jar run without any key: no flag, no $HANGAR_API_KEY, no config file, no local-stack fallback. */
    private Stack.Result withoutKey(String... args) throws Exception {
        var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                Stack.ROOT.resolve("cli/target/hangar-cli.jar").toString()));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).directory(work.toFile());
        for (String v : List.of("HANGAR_API_KEY", "HANGAR_TOKEN", "HANGAR_FALLBACK_TOKEN", "HANGAR_BASE_URL", "HANGAR_URL")) {
            builder.environment().remove(v);
        }
        builder.environment().put("HANGAR_CONFIG", work.resolve("no-config.json").toString());
        var process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES));
        return new Stack.Result(process.exitValue(), out, new String(process.getErrorStream().readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A loopback "gateway" that answers every request 503 with a problem body, counting them. */
    static final class FailingGateway implements AutoCloseable {
        final com.sun.net.httpserver.HttpServer server;
        final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();

        FailingGateway() throws java.io.IOException {
            server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 16);
            server.createContext("/", exchange -> {
                requests.incrementAndGet();
                byte[] body = "{\"status\":503,\"code\":\"ERR_UNAVAILABLE\",\"title\":\"down\",\"detail\":\"the database is away\"}"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/problem+json");
                exchange.sendResponseHeaders(503, body.length);
                try (var o = exchange.getResponseBody()) {
                    o.write(body);
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private Stack.Result as(String token, String... args) throws Exception {
        var all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", gateway.url(), "--token", token));
        return Stack.hangar(all.toArray(String[]::new));
    }

    /** hangar push of the trainer under e2e/: the folder laid out as models/tiny-lm, which its Dockerfile copies from. */
    private void pushTrainer() throws Exception {
        Path model = Stack.ROOT.resolve("models/tiny-lm");
        Path dir = Files.createDirectories(work.resolve("trainer"));
        Files.copy(model.resolve("train/Dockerfile"), dir.resolve("Dockerfile"));
        Files.writeString(dir.resolve("hangar.yaml"), Files.readString(model.resolve("train/hangar.yaml"))
                .replace("ref: hangar/tiny-lm-train@1", "ref: " + TRAINER)
                .replace("image: 127.0.0.1:5000/hangar/tiny-lm-train", "image: 127.0.0.1:5000/e2e/tiny-lm-train"));
        Files.createDirectories(dir.resolve("train"));
        Files.copy(model.resolve("train/trainer.py"), dir.resolve("train/trainer.py"));
        Files.createDirectories(dir.resolve("hangar_lm"));
        try (var files = Files.list(model.resolve("hangar_lm"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".py")).toList()) {
                Files.copy(f, dir.resolve("hangar_lm").resolve(f.getFileName()));
            }
        }
        // the trainer's Dockerfile is FROM hangar/tiny-lm:1 (models/tiny-lm/Dockerfile says how it is built): build it here,
        // from cached layers, rather than depend on another test having tagged it first (a fresh clone's order did not)
        Stack.docker("build", "-q", "--network", "host", "-t", "127.0.0.1:5000/hangar/tiny-lm:1", model.toString());
        var push = Stack.hangar("push", "--override", dir.toString());
        assertEquals(0, push.exit(), push.toString());
    }

    /** models/tiny-lm as SAMPLER: built (cached layers) and pushed so it has a digest, its spec pinned in the stack's registry. */
    private static void registerSampler(String token) throws Exception {
        String tag = SAMPLER_IMAGE + ":test";
        Stack.docker("build", "-q", "--network", "host", "-t", tag, Stack.ROOT.resolve("models/tiny-lm").toString());
        Stack.docker("push", "-q", tag);
        String digests = Stack.docker("inspect", "--format", "{{range .RepoDigests}}{{println .}}{{end}}", tag);
        String digest = digests.lines().filter(l -> l.startsWith(SAMPLER_IMAGE + "@")).findFirst()
                .map(l -> l.substring(l.indexOf('@') + 1).strip()).orElseThrow(() -> new AssertionError("no digest: " + digests));
        var spec = (com.fasterxml.jackson.databind.node.ObjectNode) Json.YAML.readTree(
                Files.readString(Stack.ROOT.resolve("models/tiny-lm/hangar.yaml")));
        spec.put("ref", SAMPLER).put("image", SAMPLER_IMAGE);
        spec.set("digests", Json.MAPPER.createObjectNode().put("amd64", digest));
        var ref = dev.hangar.contracts.ProcessorRef.parse(SAMPLER);
        var put = Stack.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:8081/v1/processors/"
                        + ref.namespace() + "/" + ref.name() + "/versions/" + ref.version()))
                .header("Content-Type", "application/json").header(dev.hangar.contracts.InternalAuth.TOKEN_HEADER, token)
                .header(dev.hangar.contracts.InternalAuth.OWNER_HEADER, "ckpt-e2e")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(Json.write(spec))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertTrue(put.statusCode() / 100 == 2, "registering the sampler: " + put.statusCode() + " " + put.body());
    }


    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

}
