package dev.hangar.executor.slurm;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * The parts of slurmrestd's OpenAPI v0.0.38 that the adapter sends and reads, and nothing more:
 * Slurm's wire, not Hangar's, so it stays in this package (unknown fields are ignored).
 */
final class SlurmWire {
    private SlurmWire() {}

    /** {@code POST job/submit}: the batch script and the job's properties. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Submission(String script, Job job) {}

    /**
     * A job's properties. {@code time_limit} is in minutes, {@code memory_per_node} in MiB; a
     * submit without {@code environment} is refused (HTTP 400).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Job(String name, String partition, String currentWorkingDirectory, String standardOutput, String standardError,
               Map<String, String> environment, Integer cpusPerTask, Long memoryPerNode, Integer timeLimit, String gres,
               Boolean requeue, String comment, String nodes) {}

    /** One entry of {@code errors[]}: 2017 is an unknown job id, 2014 and 2068 a request Slurm cannot place. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Error(String error, Integer errorNumber, Integer errorCode, String description, String source) {
        static final int UNKNOWN_JOB = 2017;
        /** ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE: no node of the partition could ever hold the request. */
        static final int NO_SUCH_NODES = 2014;
        /** ESLURM_NODE_NOT_AVAIL: the nodes are drained, down or reserved now; the job is queued anyway. */
        static final int NODE_NOT_AVAILABLE = 2068;

        /** GET/DELETE name it {@code error_number}, a refused submit {@code error_code}. */
        Integer number() {
            return errorNumber != null ? errorNumber : errorCode;
        }

        @Override
        public String toString() {
            return (description == null || description.isBlank() ? error : description)
                    + (number() == null ? "" : " (Slurm error " + number() + ")");
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record SubmitReply(Long jobId, List<Error> errors) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record JobsReply(List<JobInfo> jobs, List<Error> errors) {}

    /** A job as {@code GET job/{id}} reports it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record JobInfo(long jobId, String name, String jobState, String stateReason, String stateDescription, Integer exitCode,
                   String batchHost, String nodes, String partition, String tresPerNode, String tresReqStr,
                   String userName, Long startTime, Long endTime, Integer timeLimit, Integer restartCnt) {

        /** Slurm put the job back in the queue (its node failed, or it was preempted with requeue). */
        boolean requeued() {
            return (restartCnt != null && restartCnt > 0) || "REQUEUED".equals(jobState);
        }

        /** Slurm gave the job a node (it ran, however briefly); a job canceled while queued has none. */
        boolean placed() {
            return batchHost != null && !batchHost.isBlank();
        }

        boolean pending() {
            return "PENDING".equals(jobState);
        }

        boolean running() {
            return "RUNNING".equals(jobState) || "COMPLETING".equals(jobState);
        }

        boolean ended() {
            return !pending() && !running() && !"SUSPENDED".equals(jobState) && !"CONFIGURING".equals(jobState)
                    && !"REQUEUED".equals(jobState) && !"RESIZING".equals(jobState);
        }

        /** "FAILED (reason NonZeroExitCode, exit code 3) on node1" for an error message. */
        String describe() {
            var text = new StringBuilder(jobState);
            var details = new java.util.ArrayList<String>();
            if (stateReason != null && !stateReason.isBlank() && !"None".equals(stateReason)) {
                details.add("reason " + stateReason);
            }
            if (stateDescription != null && !stateDescription.isBlank()) {
                details.add(stateDescription);
            }
            if (exitCode != null && exitCode != 0) {
                details.add("exit code " + exitCode);
            }
            if (!details.isEmpty()) {
                text.append(" (").append(String.join(", ", details)).append(')');
            }
            if (batchHost != null && !batchHost.isBlank()) {
                text.append(" on ").append(batchHost);
            }
            return text.toString();
        }
    }
}
