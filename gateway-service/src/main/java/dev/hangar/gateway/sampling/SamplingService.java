package dev.hangar.gateway.sampling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.contracts.ApiToken;
import dev.hangar.contracts.Attachments;
import dev.hangar.contracts.Checkpoint;
import dev.hangar.contracts.CheckpointPath;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunAccepted;
import dev.hangar.contracts.RunDetail;
import dev.hangar.contracts.RunRequest;
import dev.hangar.contracts.RunStatus;
import dev.hangar.contracts.Sampling;
import dev.hangar.gateway.auth.RunAdmission;
import dev.hangar.gateway.checkpoints.CheckpointService;
import dev.hangar.gateway.config.GatewayConfig;
import dev.hangar.gateway.service.RunSubmissionService;
import dev.hangar.gateway.service.RunEnds;
import dev.hangar.gateway.service.SubmitAdmission;
import dev.hangar.gateway.store.RunStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /v1/sample}: a sampling request becomes a run of its base model's sampling processor
 * (so it has an owner, a budget, a place in the owner's queue and a stream like any run), then
 * waits up to {@code wait_ms} for that run and answers with what it sampled, or with the run to
 * follow when it is still going. The same seed gives the same tokens because the processor seeds
 * each sequence from (seed, index).
 */
@ApplicationScoped
public class SamplingService {
    private final ModelsConfig models;
    private final SamplingConfig config;
    private final GatewayConfig gateway;
    private final RunSubmissionService submissions;
    private final SubmitAdmission load;
    private final RunAdmission admission;
    private final RunStore store;
    private final RunEnds ends;
    private final SampleResults results;
    private final CheckpointService checkpoints;

    public SamplingService(ModelsConfig models, SamplingConfig config, GatewayConfig gateway, RunSubmissionService submissions,
                           SubmitAdmission load, RunAdmission admission, RunStore store, RunEnds ends, SampleResults results,
                           CheckpointService checkpoints) {
        this.checkpoints = checkpoints;
        this.models = models;
        this.config = config;
        this.gateway = gateway;
        this.submissions = submissions;
        this.load = load;
        this.admission = admission;
        this.store = store;
        this.ends = ends;
        this.results = results;
    }

    /** What a sampling request comes to: the samples, the run still going, or the run's failure. */
    public sealed interface Outcome {
        /** The run ended well: Tinker's response. */
        record Done(Sampling.Response response) implements Outcome {}

        /** Still queued or running after the wait. */
        record Pending(RunAccepted run) implements Outcome {}

        /** The run ended in an error (or was canceled). */
        record Failed(String runId, Envelope.Error error) implements Outcome {}
    }

    /** The base models, by id. */
    public Sampling.BaseModels models() {
        return new Sampling.BaseModels(models.byId().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> new Sampling.BaseModel(e.getKey(), e.getValue().sampler(), e.getValue().description().orElse(null)))
                .toList());
    }

    public Outcome sample(Sampling.Request body, String owner, Set<ApiToken.Scope> scopes, Long waitMs, String idempotencyKey) {
        if (body == null) {
            throw new HangarException(ErrorCode.ERR_SAMPLE_INVALID, "the request body is empty; send a SampleRequest JSON object");
        }
        Duration wait = waitOf(waitMs);
        Sampling.Request request = body.validated(config.defaultMaxTokens(), config.maxTokens());
        ObjectNode inputs = inputs(request);
        String baseModel = request.baseModel();
        Map<String, String> attachments = null;
        if (request.modelPath() != null) {
            // the checkpoint's owner, or anyone once it is published: checked here, not by the per-upload owner check
            Checkpoint adapter = checkpoints.readable(CheckpointPath.parse(request.modelPath()), owner).checkpoint();
            if (baseModel != null && !baseModel.equals(adapter.baseModel())) {
                throw new HangarException(ErrorCode.ERR_SAMPLE_INVALID, "model_path " + adapter.path() + " was trained on "
                        + adapter.baseModel() + ", not base_model " + baseModel + "; leave base_model out or make them agree");
            }
            baseModel = adapter.baseModel();
            inputs.set("adapter", Json.MAPPER.createObjectNode().put(Attachments.MARKER, "adapter"));
            attachments = Map.of("adapter", adapter.attachment());
        }
        ModelsConfig.Model model = model(baseModel);
        String key = runKey(idempotencyKey);
        admission.require(new RunRequest(model.sampler(), null, model.mode(), null, null, inputs, null, null, null, key, null, null),
                owner, scopes);
        var run = new RunRequest(model.sampler(), null, model.mode(), null, null, inputs, null, null, null, key, null, attachments);
        RunAccepted accepted = load.submitting(() -> submissions.submit(run, owner)).run();
        return await(accepted.executionId(), owner, wait);
    }

    /** {@code GET /v1/sample/{run_id}}: the same answer for a sampling run of the caller's. */
    public Outcome result(String runId, String owner, Long waitMs) {
        Duration wait = waitOf(waitMs);
        RunDetail detail = find(runId, owner);
        String ref = detail.envelope().map(e -> e.meta() == null ? null : e.meta().ref())
                .orElse(detail.ref() == null ? null : detail.ref().toString());
        if (ref == null || models.byId().values().stream().noneMatch(m -> m.sampler().equals(ref))) {
            throw new HangarException(ErrorCode.ERR_RUN_NOT_FOUND, "run " + runId + " is not a sampling run (its ref is " + ref
                    + "); read it with GET /v1/runs/" + runId);
        }
        return await(runId, owner, wait);
    }

    /** A sample's key lives apart from run keys ({@code sample.} + key), so a run and a sample never match each other. */
    static String runKey(String idempotencyKey) {
        if (idempotencyKey == null) {
            return null;
        }
        if (idempotencyKey.length() > 120 || !RunRequest.IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "Idempotency-Key '" + idempotencyKey
                    + "' must be 1 to 120 of A-Z, a-z, 0-9, '.', '_', ':', '-'");
        }
        return "sample." + idempotencyKey;
    }

    private ModelsConfig.Model model(String id) {
        ModelsConfig.Model model = models.byId().get(id);
        if (model == null) {
            throw new HangarException(ErrorCode.ERR_MODEL_NOT_FOUND, "no base model '" + id + "' on this installation; it has "
                    + String.join(", ", models.byId().keySet().stream().sorted(Comparator.naturalOrder()).toList())
                    + " (GET /v1/models)");
        }
        return model;
    }

    /** The sampling processor's inputs (models/tiny-lm/hangar.yaml), defaults already filled in. */
    static ObjectNode inputs(Sampling.Request r) {
        ObjectNode inputs = Json.MAPPER.createObjectNode();
        if (r.promptTokens() != null) {
            inputs.set("prompt_tokens", Json.MAPPER.valueToTree(r.promptTokens()));
        } else {
            inputs.put("prompt", r.promptText());
        }
        Sampling.Params p = r.samplingParams();
        inputs.put("max_tokens", p.maxTokens()).put("temperature", p.temperature()).put("top_k", p.topK()).put("top_p", p.topP());
        if (p.seed() != null) {
            inputs.put("seed", p.seed());
        }
        if (p.stop() != null) {
            inputs.set("stop", p.stop());
        }
        return inputs.put("num_samples", r.numSamples()).put("prompt_logprobs", r.promptLogprobs())
                .put("topk_prompt_logprobs", r.topkPromptLogprobs());
    }

    private Duration waitOf(Long waitMs) {
        if (waitMs == null) {
            return config.defaultWait();
        }
        if (waitMs < 0 || waitMs > config.maxWait().toMillis()) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "wait_ms must be 0 to " + config.maxWait().toMillis()
                    + " (0 = answer at once with the run to follow), got " + waitMs);
        }
        return Duration.ofMillis(waitMs);
    }

    private RunDetail find(String runId, String owner) {
        return store.find(runId, owner).orElseThrow(() -> new HangarException(ErrorCode.ERR_RUN_NOT_FOUND, "no run " + runId));
    }

    /** Waits for the run's end (woken by its terminal event, re-reading the index every recheck), then reads its samples. */
    private Outcome await(String runId, String owner, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try (var waiter = ends.waiter(runId)) {
            while (true) {
                RunDetail detail = find(runId, owner);
                var envelope = detail.envelope();
                if (envelope.isPresent()) {
                    return ended(envelope.get());
                }
                long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
                if (left <= 0) {
                    return new Outcome.Pending(accepted(runId, detail.status()));
                }
                waiter.await(Math.min(left, config.recheck().toMillis()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "the gateway is shutting down; follow run " + runId);
        }
    }

    private Outcome ended(Envelope envelope) {
        if (envelope.status() != RunStatus.SUCCESS) {
            return new Outcome.Failed(envelope.executionId(), envelope.error());
        }
        return new Outcome.Done(results.read(envelope, streamUrl(envelope.executionId())));
    }

    private RunAccepted accepted(String runId, RunStatus status) {
        String runUrl = gateway.publicUrl() + "/v1/runs/" + runId;
        return new RunAccepted(runId, status, runUrl, streamUrl(runId));
    }

    private String streamUrl(String runId) {
        return (gateway.publicUrl() + "/v1/runs/" + runId).replaceFirst("^http", "ws") + "/stream";
    }
}
