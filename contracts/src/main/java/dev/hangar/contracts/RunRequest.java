package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The body of {@code POST /v1/runs}.
 *
 * @param ref         {@code ns/name@version}
 * @param adapter     where it runs; default {@link Adapter#DEFAULT}
 * @param mode        {@link Mode}; default {@link Mode#DEFAULT}
 * @param platform    default the installation's
 * @param writePrefix output location template; default {@link WritePrefix#DEFAULT}
 * @param inputs      the processor's inputs, checked against its schema
 * @param adapterOpts adapter options
 * @param build       run the newest local build instead of the pinned digest
 * @param timeoutSeconds  stop the run at this deadline (ERR_TIMEOUT); default the spec's
 * @param idempotencyKey  the same key returns the same run instead of starting another
 * @param plan        the budget plan this run is charged to
 * @param attachments name → artefact path ({@code /artifacts/inputs/{cid}/{filename}}), referenced
 *                    from inputs as {@code {"$attach":"name"}}
 * @param env         the deployment environment the run runs in ({@link Deploy#ENVS}): it runs that
 *                    deployment's bound digest and, in real mode, gets that environment's secrets
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunRequest(String ref, Adapter adapter, Mode mode, Platform platform, String writePrefix,
                         JsonNode inputs, JsonNode adapterOpts, Boolean build, Integer timeoutSeconds,
                         String idempotencyKey, String plan, java.util.Map<String, String> attachments, String env) {

    /** A request in no deployment environment. */
    public RunRequest(String ref, Adapter adapter, Mode mode, Platform platform, String writePrefix, JsonNode inputs,
                      JsonNode adapterOpts, Boolean build, Integer timeoutSeconds, String idempotencyKey, String plan,
                      java.util.Map<String, String> attachments) {
        this(ref, adapter, mode, platform, writePrefix, inputs, adapterOpts, build, timeoutSeconds, idempotencyKey, plan,
                attachments, null);
    }

    /** 1 to 128 of A-Z, a-z, 0-9, '.', '_', ':', '-'. */
    public static final java.util.regex.Pattern IDEMPOTENCY_KEY = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /**
     * The HTTP header a client may send the idempotency key in instead of the body (the IETF
     * httpapi draft's name); the CLI sends it on every POST, and the body's key too on runs.
     */
    public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";

    /** A request with only the fields most callers set. */
    public static RunRequest of(String ref, Mode mode, JsonNode inputs) {
        return new RunRequest(ref, null, mode, null, null, inputs, null, null, null, null, null, null);
    }

    /**
     * The request with the {@link #IDEMPOTENCY_HEADER} key as its {@code idempotency_key} when the
     * body has none; the same key in both is fine, two different ones are {@link ErrorCode#ERR_BAD_REQUEST}.
     */
    public RunRequest withHeaderKey(String header) {
        if (header == null || header.isBlank() || header.equals(idempotencyKey)) {
            return this;
        }
        if (idempotencyKey != null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "idempotency_key '" + idempotencyKey + "' in the body and the "
                    + IDEMPOTENCY_HEADER + " header '" + header + "' differ; send one of them, or the same in both");
        }
        return new RunRequest(ref, adapter, mode, platform, writePrefix, inputs, adapterOpts, build, timeoutSeconds, header, plan,
                attachments, env);
    }

    /** Returns the key (null stays null), or throws {@link ErrorCode#ERR_OPTION_INVALID} saying its form. */
    public static String requireIdempotencyKey(String key) {
        if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "idempotency_key '" + key
                    + "' must be 1 to 128 of A-Z, a-z, 0-9, '.', '_', ':', '-'");
        }
        return key;
    }
}
