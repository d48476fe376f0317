package dev.hangar.gateway.tinker;

import dev.hangar.contracts.ApiToken;
import dev.hangar.contracts.CheckpointPath;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Sampling;
import dev.hangar.contracts.Tinker;
import dev.hangar.gateway.checkpoints.CheckpointService;
import dev.hangar.gateway.sampling.SamplingService;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Tinker's sampling over {@code /v1/sample}'s machinery: a sampling session remembers what to
 * sample (a base model, or a sampler checkpoint the caller may read, on its base model); asample
 * maps Tinker's SampleRequest onto {@link Sampling.Request} and submits it without waiting, so its
 * future is the sampling run, which {@code retrieve_future} resolves to Tinker's SampleResponse.
 * Every rule of a sample (limits, defaults, owner checks of the checkpoint) is SamplingService's.
 */
@ApplicationScoped
public class TinkerSampling {
    private final SamplingService sampling;
    private final CheckpointService checkpoints;
    private final TinkerSessions sessions;
    private final TinkerStore store;

    public TinkerSampling(SamplingService sampling, CheckpointService checkpoints, TinkerSessions sessions, TinkerStore store) {
        this.sampling = sampling;
        this.checkpoints = checkpoints;
        this.sessions = sessions;
        this.store = store;
    }

    /** create_sampling_session: checked now (the model exists, the checkpoint is readable), so asample cannot fail on it later. */
    String createSession(String owner, Tinker.CreateSamplingSessionRequest request) {
        if (request == null || request.sessionId() == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "create_sampling_session needs session_id (from create_session) "
                    + "and base_model or model_path");
        }
        String client = sessions.require(owner, request.sessionId());
        var target = target(owner, request.baseModel(), request.modelPath());
        if (request.samplingSessionSeqId() != null) {
            var earlier = store.samplingBySeq(owner, client, request.samplingSessionSeqId());
            if (earlier.isPresent()) {
                return earlier.get().id(); // a retry of the same seq id: the session it made
            }
        }
        var row = new TinkerStore.SamplingSession(TinkerSessions.newId("tss_"), owner, client, target.baseModel(), target.modelPath());
        if (!store.insertSampling(row, request.samplingSessionSeqId())) {
            return store.samplingBySeq(owner, client, request.samplingSessionSeqId()).orElseThrow().id();
        }
        return row.id();
    }

    /** asample: the sampling run's id, the future's request id. */
    String asample(String owner, Set<ApiToken.Scope> scopes, Tinker.SampleRequest request, String key) {
        if (request == null) {
            throw new HangarException(ErrorCode.ERR_SAMPLE_INVALID, "send a SampleRequest: {prompt, sampling_params, "
                    + "sampling_session_id or base_model/model_path}");
        }
        String baseModel = request.baseModel();
        String modelPath = request.modelPath();
        if (request.samplingSessionId() != null) {
            var session = store.sampling(request.samplingSessionId(), owner).orElseThrow(() -> new HangarException(
                    ErrorCode.ERR_SESSION_NOT_FOUND, "no sampling session has the id '" + request.samplingSessionId()
                    + "' (or it is not yours); create one with create_sampling_session"));
            baseModel = session.baseModel();
            modelPath = session.modelPath();
        } else if (modelPath != null) {
            modelPath = TinkerCheckpointPaths.hangar(modelPath);
        }
        var body = new Sampling.Request(baseModel, request.prompt(), null, request.samplingParams(), request.numSamples(), request.promptLogprobs(),
                request.topkPromptLogprobs(), modelPath);
        return switch (sampling.sample(body, owner, scopes, 0L, key)) {
            case SamplingService.Outcome.Done done -> done.response().runId();
            case SamplingService.Outcome.Pending pending -> pending.run().executionId();
            case SamplingService.Outcome.Failed failed -> failed.runId();
        };
    }

    /** retrieve_future of a sampling run: try_again, Tinker's SampleResponse, or a RequestFailedResponse. */
    Object future(String owner, String runId, long retryAfterMs) {
        return switch (sampling.result(runId, owner, 0L)) {
            case SamplingService.Outcome.Done done -> done.response();
            case SamplingService.Outcome.Pending pending -> Tinker.TryAgain.of(runId, retryAfterMs);
            case SamplingService.Outcome.Failed failed -> Tinker.RequestFailed.of(failed.error().code(), failed.error().message());
        };
    }

    private record Target(String baseModel, String modelPath) {}

    private Target target(String owner, String baseModel, String modelPath) {
        if (modelPath != null) {
            CheckpointPath path = TinkerCheckpointPaths.parse(modelPath);
            checkpoints.samplerAttachment(path, owner); // a sampler checkpoint the caller may read, else 400 / 404
            var checkpoint = checkpoints.readable(path, owner).checkpoint();
            if (baseModel != null && !baseModel.equals(checkpoint.baseModel())) {
                throw new HangarException(ErrorCode.ERR_SAMPLE_INVALID, "model_path " + modelPath + " was trained on "
                        + checkpoint.baseModel() + ", not base_model " + baseModel + "; leave base_model out or make them agree");
            }
            return new Target(checkpoint.baseModel(), path.toString());
        }
        if (baseModel == null || baseModel.isBlank()) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "create_sampling_session needs base_model or model_path");
        }
        var models = sampling.models().models().stream().map(Sampling.BaseModel::id).toList();
        if (!models.contains(baseModel)) {
            throw new HangarException(ErrorCode.ERR_MODEL_NOT_FOUND, "no base model '" + baseModel + "' on this installation; it has "
                    + String.join(", ", models));
        }
        return new Target(baseModel, null);
    }
}
