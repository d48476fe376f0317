package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The one result of every run. {@code status} is {@code success} (with {@code outputs} and
 * {@code index_path}), {@code error} or {@code canceled} (with {@code error}); {@code meta} always.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Envelope(String status, String executionId, List<OutputRef> outputs, String indexPath,
                       Error error, Meta meta) {

    public static final String SUCCESS = "success";
    public static final String ERROR = "error";
    public static final String CANCELED = "canceled";

    /** What went wrong; {@code stderr_tail} is the container's last lines, secrets redacted. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Error(ErrorCode code, String message, String stderrTail) {}

    /** How the run went. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Meta(String ref, String adapter, String mode, String platform, Integer attempt, String imageDigest,
                       String envFingerprint, Long durationMs, Long queueMs, Double cost, String plan) {}

    public static Envelope success(String executionId, List<OutputRef> outputs, String indexPath, Meta meta) {
        return new Envelope(SUCCESS, executionId, List.copyOf(outputs), indexPath, null, meta);
    }

    public static Envelope error(String executionId, ErrorCode code, String message, String stderrTail, Meta meta) {
        String status = code == ErrorCode.ERR_CANCELED ? CANCELED : ERROR;
        return new Envelope(status, executionId, null, null, new Error(code, message, stderrTail), meta);
    }

    /** The run state this envelope ends in. */
    public RunStatus runStatus() {
        return switch (status) {
            case SUCCESS -> RunStatus.SUCCESS;
            case CANCELED -> RunStatus.CANCELED;
            default -> RunStatus.ERROR;
        };
    }
}
