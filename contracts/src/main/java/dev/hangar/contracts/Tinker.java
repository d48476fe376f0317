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
    public record WeightsInfoRequest(String modelPath, String type) {}

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
}
