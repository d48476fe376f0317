package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * Tinker's REST shapes under {@code /api/v1} (docs/tinker-api.md), written from Tinker's
 * published SDK types so a Tinker client works by changing its base URL. Unknown fields are
 * ignored (newer SDKs add some). A Tinker "model" is a Hangar training session; a Tinker
 * session is a client session whose heartbeat keeps its models alive; a request id is a run id.
 */
public final class Tinker {
    private Tinker() {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CreateSessionRequest(List<String> tags, JsonNode userMetadata, String sdkVersion, String type) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CreateSessionResponse(String type, String infoMessage, String sessionId) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SessionHeartbeatRequest(String sessionId, String type) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SessionHeartbeatResponse(String type) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SupportedModel(String modelName) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ServerCapabilities(List<SupportedModel> supportedModels) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CreateModelRequest(String sessionId, Integer modelSeqId, String baseModel, JsonNode userMetadata,
                                     Training.LoraConfig loraConfig, String type) {}

    /** What every call answers at once: the future to retrieve. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record UntypedFuture(String requestId, String modelId) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ForwardBackwardInput(List<JsonNode> data, String lossFn, Map<String, Double> lossFnConfig) {}

    /** Body of forward and forward_backward. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ForwardBackwardRequest(ForwardBackwardInput forwardInput, ForwardBackwardInput forwardBackwardInput,
                                         String modelId, Integer seqId) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AdamParams(Double learningRate, Double beta1, Double beta2, Double eps, Double weightDecay,
                             Double gradClipNorm) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OptimStepRequest(AdamParams adamParams, String modelId, Integer seqId, String type) {}

    /** Body of save_weights and save_weights_for_sampler; {@code path} is the checkpoint's name. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SaveWeightsRequest(String modelId, String path, Integer seqId, String type) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LoadWeightsRequest(String modelId, String path, Boolean optimizer, Integer seqId, String type) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WeightsInfoRequest(String modelPath, String type, String tinkerPath) {
        /** The path asked about: Tinker's SDK sends {@code tinker_path}, older clients {@code model_path}. */
        public String path() {
            return tinkerPath != null ? tinkerPath : modelPath;
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WeightsInfoResponse(String baseModel, Boolean isLora, Integer loraRank, Boolean trainMlp,
                                      Boolean trainAttn, Boolean trainUnembed) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RetrieveFutureRequest(String requestId, String modelId) {}

    /** A future not done yet: ask again after {@code retry_after_ms}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TryAgain(String type, String requestId, String queueState, Long retryAfterMs) {
        public static TryAgain of(String requestId, long retryAfterMs) {
            return new TryAgain("try_again", requestId, "active", retryAfterMs);
        }
    }

    /** A failed future: Tinker's RequestFailedResponse plus Hangar's stable code. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RequestFailed(String error, String category, String code) {
        public static RequestFailed of(ErrorCode code, String message) {
            return new RequestFailed(message, code.fix() == ErrorCode.Fix.INPUT ? "user" : "server", code.name());
        }
    }

    // ---- sampling (create_sampling_session, asample)

    /** A sampling session: a base model, or a sampler checkpoint ({@code tinker://} or {@code hangar://}) on its base model. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CreateSamplingSessionRequest(String sessionId, Integer samplingSessionSeqId, String baseModel, String modelPath,
                                               String type) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CreateSamplingSessionResponse(String type, String samplingSessionId) {}

    /**
     * Body of asample: Tinker's SampleRequest. {@code sampling_session_id} names what to sample
     * (else {@code base_model} / {@code model_path}); the rest maps onto {@link Sampling.Request}.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SampleRequest(Integer numSamples, Sampling.ModelInput prompt, Sampling.Params samplingParams, String baseModel,
                                String modelPath, String samplingSessionId, Integer seqId, Boolean promptLogprobs,
                                Integer topkPromptLogprobs, String type) {}

    // ---- training runs and checkpoints (RestClient)

    /** Tinker's pagination cursor: {@code total_count} counts every match. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Cursor(int offset, int limit, long totalCount) {}

    /**
     * Tinker's Checkpoint: {@code checkpoint_id} is {@code <weights|sampler_weights>/<id>} as Tinker's
     * ParsedCheckpointTinkerPath has it, {@code checkpoint_type} {@code training} or {@code sampler},
     * {@code tinker_path} the {@code tinker://} path (every endpoint also takes {@code hangar://}).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Checkpoint(String checkpointId, String checkpointType, java.time.Instant time, String tinkerPath, Long sizeBytes,
                             @com.fasterxml.jackson.annotation.JsonProperty("public") boolean isPublic, String trainingRunId,
                             java.time.Instant expiresAt) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CheckpointsListResponse(List<Checkpoint> checkpoints, Cursor cursor) {}

    /** Tinker's TrainingRun: a Hangar training run (a run of the base model's trainer). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TrainingRun(String trainingRunId, String baseModel, String modelOwner, boolean isLora, boolean corrupted,
                              Integer loraRank, java.time.Instant lastRequestTime, Checkpoint lastCheckpoint,
                              Checkpoint lastSamplerCheckpoint, Map<String, String> userMetadata) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TrainingRunsResponse(List<TrainingRun> trainingRuns, Cursor cursor) {}

    /** Body of the archive answer (the URL is also its 302 Location): a presigned GET and when it expires. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CheckpointArchiveUrlResponse(String url, java.time.Instant expires) {}

    /** Body of {@code PUT …/ttl}: seconds from now, or null to keep the checkpoint until deleted. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record TtlRequest(Long ttlSeconds) {}
}
