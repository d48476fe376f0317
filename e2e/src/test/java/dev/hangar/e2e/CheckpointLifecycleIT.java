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
                "HANGAR_DB_URL", "jdbc:postgresql://127.0.0.1:5432/hangar_gateway_ckpt",
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
