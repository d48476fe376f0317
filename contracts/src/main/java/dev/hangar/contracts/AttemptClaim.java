package dev.hangar.contracts;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The gateway's answer to {@code POST /internal/v1/runs/{execution_id}/attempts}: the attempt an
 * executor may now start. The gateway counts attempts per run, so a command redelivered after
 * an executor was lost runs as the next attempt, and its events never collide with the first's
 * on (execution_id, attempt, seq). A run that has ended is {@code 409 ERR_RUN_FINISHED}; a run
 * past its policy's attempts is {@code 409 ERR_ATTEMPTS_EXHAUSTED}; a run whose attempt another
 * executor holds (its lease, renewed while it runs, has not expired) is {@code 409 ERR_ATTEMPT_RUNNING}.
 * Once Kafka has an attempt's terminal envelope its executor reports the end ({@link Ended}), so
 * a later claim is refused however far the gateway's event consumer lags.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AttemptClaim(String executionId, int attempt, int maxAttempts, String executorId) {

    /**
     * What an executor sends: who it is, the run's {@code max_attempts} from its spec's retry
     * policy, and how long its hold on the attempt lasts unless renewed ({@code lease_seconds}).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Request(String executorId, int maxAttempts, int leaseSeconds) {
        public static final int MAX_LEASE_SECONDS = 600;


        /** Throws {@link ErrorCode#ERR_BAD_REQUEST} naming what is missing or out of range. */
        public Request requireValid() {
            if (executorId == null || executorId.isBlank() || executorId.length() > 128) {
                throw bad("executor_id is required (1-128 characters)");
            }
            if (maxAttempts < 1 || maxAttempts > ProcessorSpec.Retry.MAX_ATTEMPTS) {
                throw bad("max_attempts must be between 1 and " + ProcessorSpec.Retry.MAX_ATTEMPTS + ", got " + maxAttempts);
            }
            if (leaseSeconds < 1 || leaseSeconds > MAX_LEASE_SECONDS) {
                throw bad("lease_seconds must be between 1 and " + MAX_LEASE_SECONDS + ", got " + leaseSeconds);
            }
            return this;
        }

        private static HangarException bad(String why) {
            return new HangarException(ErrorCode.ERR_BAD_REQUEST, "invalid attempt claim: " + why);
        }
    }

    /**
     * What an executor sends to {@code POST /internal/v1/runs/{execution_id}/attempts/{attempt}/end}:
     * who it is and the terminal status of the envelope Kafka has acknowledged.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Ended(String executorId, RunStatus status) {

        /** Throws {@link ErrorCode#ERR_BAD_REQUEST} naming what is missing. */
        public Ended requireValid() {
            if (executorId == null || executorId.isBlank() || executorId.length() > 128) {
                throw Request.bad("executor_id is required (1-128 characters)");
            }
            if (status == null || !status.terminal()) {
                throw Request.bad("status must be a terminal status (success, error or canceled), got "
                        + (status == null ? null : status.wire()));
            }
            return this;
        }
    }
}
