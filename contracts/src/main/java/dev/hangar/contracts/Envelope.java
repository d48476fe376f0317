package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The one result of every run. {@code status} is a terminal {@link RunStatus}: {@code success}
 * (with {@code outputs} and {@code index_path}), {@code error} or {@code canceled} (with
 * {@code error}); {@code meta} always, except in the CLI's own error envelope for a failure
 * before any run existed.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Envelope(RunStatus status, String executionId, List<OutputRef> outputs, String indexPath,
                       Error error, Meta meta) {

    public Envelope {
        if (status == null || !status.terminal()) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "an envelope's status must be success, error or canceled, got "
                    + (status == null ? null : status.wire()));
        }
    }

    /** What went wrong; {@code stderr_tail} is the container's last lines, secrets redacted. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Error(ErrorCode code, String message, String stderrTail) {}

    /** How the run went. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Meta(String ref, Adapter adapter, Mode mode, Platform platform, Integer attempt, String imageDigest,
                       String envFingerprint, Long durationMs, Long queueMs, Double cost, String plan) {}

    public static Envelope success(String executionId, List<OutputRef> outputs, String indexPath, Meta meta) {
        return new Envelope(RunStatus.SUCCESS, executionId, List.copyOf(outputs), indexPath, null, meta);
    }

    public static Envelope error(String executionId, ErrorCode code, String message, String stderrTail, Meta meta) {
        RunStatus status = code == ErrorCode.ERR_CANCELED ? RunStatus.CANCELED : RunStatus.ERROR;
        return new Envelope(status, executionId, null, null, new Error(code, message, stderrTail), meta);
    }
}
