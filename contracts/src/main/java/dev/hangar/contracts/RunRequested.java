package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/**
 * The command on {@code hangar.runs.requested} (key = execution id). The gateway fills
 * {@code image} with the pinned, digest-qualified reference; a record written by any other
 * producer may leave it out and the executor resolves the ref itself. {@code owner} is the owner
 * that submitted the run (the gateway sets it): warm containers are kept per owner
 * (docs/warm-pool.md), and a command without one never runs in a warm container an owner holds.
 * {@code session} is a training session's id (docs/training-sessions.md): the gateway keys the
 * record by it so a session's runs reach one executor, and a processor whose warm scope is
 * {@code session} serves them from one container; {@code session_end} marks the session's last
 * run, after which the executor removes that container.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunRequested(Integer schemaVersion, String executionId, Integer attempt, Instant createdAt, String traceparent,
                           ProcessorRef ref, Adapter adapter, Mode mode, Platform platform, String writePrefix,
                           JsonNode inputs, JsonNode adapterOpts, Boolean build, String image,
                           Integer timeoutSeconds, java.util.Map<String, String> attachments, String plan, String owner,
                           String session, Boolean sessionEnd) {

    public static final int SCHEMA_VERSION = 1;

    /** A command of no training session. */
    public RunRequested(Integer schemaVersion, String executionId, Integer attempt, Instant createdAt, String traceparent,
                        ProcessorRef ref, Adapter adapter, Mode mode, Platform platform, String writePrefix,
                        JsonNode inputs, JsonNode adapterOpts, Boolean build, String image,
                        Integer timeoutSeconds, java.util.Map<String, String> attachments, String plan, String owner) {
        this(schemaVersion, executionId, attempt, createdAt, traceparent, ref, adapter, mode, platform, writePrefix, inputs,
                adapterOpts, build, image, timeoutSeconds, attachments, plan, owner, null, null);
    }

    /** A command that names no owner. */
    public RunRequested(Integer schemaVersion, String executionId, Integer attempt, Instant createdAt, String traceparent,
                        ProcessorRef ref, Adapter adapter, Mode mode, Platform platform, String writePrefix,
                        JsonNode inputs, JsonNode adapterOpts, Boolean build, String image,
                        Integer timeoutSeconds, java.util.Map<String, String> attachments, String plan) {
        this(schemaVersion, executionId, attempt, createdAt, traceparent, ref, adapter, mode, platform, writePrefix, inputs,
                adapterOpts, build, image, timeoutSeconds, attachments, plan, null);
    }

    /** Checks what a record from an arbitrary producer must carry; throws ERR_COMMAND_INVALID. */
    public RunRequested requireWellFormed() {
        if (schemaVersion == null || schemaVersion != SCHEMA_VERSION) {
            throw invalid("schema_version must be " + SCHEMA_VERSION + ", got " + schemaVersion);
        }
        if (executionId == null || !executionId.matches("[A-Za-z0-9][A-Za-z0-9_-]{7,63}")) {
            throw invalid("execution_id must be 8-64 characters of letters, digits, '-' or '_'");
        }
        if (attempt == null || attempt < 1) {
            throw invalid("attempt must be 1 or more");
        }
        if (ref == null) {
            throw invalid("ref is required (ns/name@version)");
        }
        if (inputs != null && !inputs.isObject()) {
            throw invalid("inputs must be a JSON object");
        }
        if (session != null && !Training.SESSION_ID.matcher(session).matches()) {
            throw invalid("session must be " + Training.SESSION_ID_RULE);
        }
        return this;
    }

    /** The same command as the given attempt (the executor's, claimed from the gateway). */
    public RunRequested withAttempt(int number) {
        return new RunRequested(schemaVersion, executionId, number, createdAt, traceparent, ref, adapter, mode, platform,
                writePrefix, inputs, adapterOpts, build, image, timeoutSeconds, attachments, plan, owner, session, sessionEnd);
    }

    /** Whether the executor removes the session's warm container once this run has ended well. */
    public boolean endsSession() {
        return session != null && Boolean.TRUE.equals(sessionEnd);
    }

    private static HangarException invalid(String why) {
        return new HangarException(ErrorCode.ERR_COMMAND_INVALID, "invalid RunRequested: " + why);
    }
}
