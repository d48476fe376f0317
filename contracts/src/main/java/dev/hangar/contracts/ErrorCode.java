package dev.hangar.contracts;

/**
 * Every error Hangar reports, on REST (problem+json {@code code}), in error envelopes and in CLI
 * output. The names are a stable contract: add codes, never rename them.
 */
public enum ErrorCode {
    ERR_BAD_REQUEST(400, Fix.INPUT, "The request body or a parameter is malformed; fix it and send again."),
    ERR_REF_INVALID(400, Fix.INPUT, "A processor ref must look like ns/name@version with an integer version."),
    ERR_WRITE_PREFIX_NO_EXECUTION_ID(400, Fix.INPUT, "A write prefix must contain {execution_id}."),
    ERR_WRITE_PREFIX_TRAVERSAL(400, Fix.INPUT, "A write prefix may not contain '.' or '..' segments or empty segments."),
    ERR_WRITE_PREFIX_ENCODED(400, Fix.INPUT, "A write prefix may not contain percent-encoded characters, backslashes or control characters."),
    ERR_WRITE_PREFIX_SEGMENT_TOO_LONG(400, Fix.INPUT, "Each write prefix segment must be at most 255 bytes, the whole prefix at most 1024."),
    ERR_WRITE_PREFIX_OUTPUTS_SUFFIX(400, Fix.INPUT, "A write prefix may not end in /outputs (outputs are written below the prefix)."),
    ERR_WRITE_PREFIX_ROOT(400, Fix.INPUT, "A write prefix must be an absolute path below /artifacts/."),
    ERR_INPUT_INVALID(422, Fix.INPUT, "The inputs do not match the processor's input schema; see the listed paths."),
    ERR_INPUT_FETCH_FAILED(422, Fix.INPUT, "A URL input could not be fetched (an error status such as 404, a redirect to another host, or no answer at all); the message names the URL."),
    ERR_INPUT_FETCH_TIMEOUT(504, Fix.RETRY, "A URL input did not arrive within the fetch timeout; retry, or download it and pass the file as @path."),
    ERR_INPUT_TOO_LARGE(413, Fix.INPUT, "A URL input's body is larger than the limit the message names (HANGAR_FETCH_MAX_BYTES); pass a smaller file."),
    ERR_SPEC_INVALID(422, Fix.INPUT, "The processor spec is incomplete or malformed; see the listed paths."),
    ERR_OPTION_INVALID(400, Fix.INPUT, "An option has a value Hangar does not accept."),
    ERR_PROCESSOR_NOT_FOUND(404, Fix.INPUT, "No processor is registered under that ref; register it with `hangar push` or check the ref."),
    ERR_ARTIFACT_NOT_FOUND(404, Fix.INPUT, "No artefact is stored at that path."),
    ERR_PLAN_NOT_FOUND(404, Fix.INPUT, "No plan has that key; create it with `hangar plans set KEY --limit N` or by its first use."),
    ERR_RUN_NOT_FOUND(404, Fix.INPUT, "No run has that execution id (or it is not yours)."),
    ERR_IMAGE_UNPINNED(422, Fix.INPUT, "The processor has no image digest pinned for that platform; push or pin one."),
    ERR_DIGEST_NOT_FOUND(422, Fix.INPUT, "The OCI registry does not have a manifest with that digest."),
    ERR_REGISTRY_MISMATCH(409, Fix.INPUT, "The image that ran is not the image pinned for that platform."),
    ERR_ADAPTER_UNAVAILABLE(422, Fix.INPUT, "That adapter is not configured on this installation."),
    ERR_PLATFORM_UNSUPPORTED(422, Fix.INPUT, "The image's platform cannot run on this executor host."),
    ERR_MISSING_SECRET(422, Fix.INPUT, "A secret the processor requires is not set; set it, its value is never shown."),
    ERR_BUDGET_EXCEEDED(402, Fix.INPUT, "The run would exceed its plan's budget; raise it with `hangar plans set` or use another plan."),
    ERR_ATTACHMENT_INVALID(400, Fix.INPUT, "An input refers to an attachment that was not uploaded, or an upload is malformed."),
    ERR_UNAUTHORIZED(401, Fix.INPUT, "Missing or unknown API token; run `hangar login`."),
    ERR_SETUP_FAILED(502, Fix.INPUT, "The processor's setup() failed inside the container; see stderr_tail."),
    ERR_PROCESSOR_FAILED(502, Fix.INPUT, "The processor raised an error while predicting; see stderr_tail."),
    ERR_CONTAINER_FAILED(502, Fix.RETRY, "The container exited or was killed before answering (e.g. out of memory)."),
    ERR_TIMEOUT(504, Fix.RETRY, "The run did not finish before its deadline; the container was removed."),
    ERR_ADAPTER_INVOCATION(502, Fix.RETRY, "The remote backend failed the run (a Slurm job failed, was preempted or lost its node, or the backend was unreachable); the message names its state and reason."),
    ERR_CANCELED(409, Fix.NONE, "The run was canceled."),
    ERR_ATTEMPTS_EXHAUSTED(409, Fix.RETRY, "The run failed on every attempt its retry policy allows (or lost its executors); the message names the last cause."),
    ERR_ATTEMPT_RUNNING(409, Fix.RETRY, "Another executor holds the run's current attempt; claim again once its lease expires."),
    ERR_RUN_FINISHED(409, Fix.NONE, "The run has already ended; there is nothing to cancel."),
    ERR_SECRET_NOT_FOUND(404, Fix.INPUT, "No secret has that name; list them with `hangar secrets list`."),
    ERR_SECRET_INVALID(400, Fix.INPUT, "A secret name must be A-Z, 0-9 and _ (starting with a letter), its value 1 byte to 64 KiB."),
    ERR_OUTPUT_INVALID(422, Fix.INPUT, "The processor left something in its outputs folder that is not a regular file (a symlink, hard link, FIFO, device); nothing of the run was stored."),
    ERR_OUTPUT_LIMIT(413, Fix.INPUT, "The processor wrote more than the executor accepts (output files, output bytes, or one reply or event); the message names the limit."),
    ERR_UPLOAD_FAILED(503, Fix.RETRY, "Outputs could not be written to the artefact store."),
    ERR_RATE_LIMITED(429, Fix.RETRY, "Too many runs are waiting (yours, or on the whole installation) or being submitted at once; retry after the Retry-After seconds."),
    ERR_UNAVAILABLE(503, Fix.RETRY, "A component Hangar needs (Kafka, registry, database, Docker, S3) is unreachable; retry later."),
    ERR_COMMAND_INVALID(400, Fix.INPUT, "A bus record is not valid JSON or not a valid command; it went to the dead-letter topic."),
    ERR_INTERNAL_UNAUTHORIZED(401, Fix.INPUT, "A call between Hangar services lacks the right internal token; set the same HANGAR_INTERNAL_TOKEN on every service."),
    ERR_NAMESPACE_FORBIDDEN(403, Fix.INPUT, "That processor namespace belongs to another owner; push under your own namespace or ask an admin for a grant."),
    ERR_VERSION_IMMUTABLE(409, Fix.INPUT, "A pinned version is immutable: a new digest is a new version (or the namespace owner's explicit override)."),
    ERR_SCOPE_MISSING(403, Fix.INPUT, "The API token lacks the scope this request needs; use a token with that scope."),
    ERR_CHECKPOINT_PATH_INVALID(400, Fix.INPUT, "A checkpoint path must be hangar://<run_id>/<weights|sampler_weights>/<checkpoint_id>; the message names the wrong part."),
    ERR_CHECKPOINT_NOT_FOUND(404, Fix.INPUT, "No checkpoint of yours (or published) is registered at that path; list them with `hangar checkpoint list`."),
    ERR_TOKEN_NOT_FOUND(404, Fix.INPUT, "No API token of yours has that id; list them with `hangar tokens list`."),
    ERR_SAMPLE_INVALID(400, Fix.INPUT, "A sampling request is malformed (base_model, prompt, sampling_params, num_samples, prompt logprobs); the message names the field and its allowed values."),
    ERR_MODEL_NOT_FOUND(404, Fix.INPUT, "No base model has that id on this installation; list them with GET /v1/models."),
    ERR_SESSION_NOT_FOUND(404, Fix.INPUT, "No training session (or future) has that id, or it is not yours; create one with create_model."),
    ERR_SESSION_CLOSED(409, Fix.INPUT, "The training session was closed or expired (no heartbeat within its timeout); create a new one, its state is gone."),
    ERR_SESSION_LOST(410, Fix.INPUT, "The container holding the training session's model is gone (restarted, its executor lost); its state cannot be recovered: create a new session and load your last saved weights."),
    ERR_NO_CAPACITY(503, Fix.RETRY, "No executor of the run's pool (or the Slurm cluster behind it) had room for it (CPU, memory, GPUs) before its capacity deadline, or its hosts can never fit it (e.g. a GPU run on a pool without GPUs); the message names the pool, or Slurm's reason and partition."),
    ERR_DEPLOYMENT_NOT_FOUND(404, Fix.INPUT, "No deployment of that ref is recorded in that environment (or its namespace is not yours); deploy it with `hangar deploy`."),
    ERR_INTERNAL(500, Fix.RETRY, "An unexpected error; it is logged with the execution id.");

    /**
     * The codes a processor may end a run with itself, by failing with a message that starts
     * with {@code "<CODE>: "}; any other code in a message stays ERR_PROCESSOR_FAILED, so a
     * processor cannot pass for the platform (ERR_REGISTRY_MISMATCH, ERR_UNAUTHORIZED, ...).
     */
    public static final java.util.Set<ErrorCode> RAISED_BY_PROCESSORS = java.util.Set.of(ERR_SESSION_LOST);

    private static final java.util.regex.Pattern RAISED = java.util.regex.Pattern.compile(
            "(?:[A-Za-z_][A-Za-z0-9_.]*: )?(ERR_[A-Z_]+): (.*)", java.util.regex.Pattern.DOTALL);

    /**
     * The code and message a processor's failure names at its start ({@code "ERR_X: why"}, or the
     * runtime's {@code "ExceptionType: ERR_X: why"}), if the code is one processors may raise.
     */
    public static java.util.Optional<HangarException> raisedBy(String processorError) {
        var m = processorError == null ? null : RAISED.matcher(processorError);
        if (m == null || !m.matches()) {
            return java.util.Optional.empty();
        }
        return RAISED_BY_PROCESSORS.stream().filter(c -> c.name().equals(m.group(1))).findFirst()
                .map(c -> new HangarException(c, m.group(2).strip()));
    }

    /** What the caller should do about an error. */
    public enum Fix { INPUT, RETRY, NONE }

    private final int httpStatus;
    private final Fix fix;
    private final String hint;

    ErrorCode(int httpStatus, Fix fix, String hint) {
        this.httpStatus = httpStatus;
        this.fix = fix;
        this.hint = hint;
    }

    /** The HTTP status a REST answer with this code carries. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Whether the caller should fix its input or retry unchanged. */
    public Fix fix() {
        return fix;
    }

    /** One sentence on the cause and the fix, as documented in docs/errors.md. */
    public String hint() {
        return hint;
    }
}
