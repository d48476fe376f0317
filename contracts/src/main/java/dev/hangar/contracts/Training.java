package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * Training sessions (docs/training-sessions.md), Tinker's model: the user drives the loop, the
 * service holds the model. A session is a warm container of the session processor holding a
 * base model with LoRA adapters and their optimizer state; every call on it is an ordinary run
 * of that processor (inputs {@link Inputs}), so a call's future is a run: its id is the run's
 * execution id, polled here or awaited on the run's WebSocket.
 */
public final class Training {
    /** Session ids: made by the gateway, safe as a Kafka key, a label value and a folder name. */
    public static final Pattern SESSION_ID = Pattern.compile("ts_[a-z0-9]{20,40}");
    public static final String SESSION_ID_RULE = "ts_ followed by 20-40 lower-case letters or digits";
    public static final int MAX_RANK = 128;

    private Training() {}

    /** Throws ERR_SESSION_NOT_FOUND for a string that cannot be a session id (so nothing malformed reaches a query or a key). */
    public static String requireSessionId(String id) {
        if (id == null || !SESSION_ID.matcher(id).matches()) {
            throw new HangarException(ErrorCode.ERR_SESSION_NOT_FOUND, "no training session has the id '" + id
                    + "' (ids are " + SESSION_ID_RULE + ")");
        }
        return id;
    }

    /** A call on a session; the processor's {@code op} input. */
    public enum Op {
        CREATE, FORWARD, FORWARD_BACKWARD, OPTIM_STEP, SAVE_WEIGHTS, SAVE_WEIGHTS_FOR_SAMPLER, LOAD_WEIGHTS, CLOSE;

        @JsonValue
        public String wire() {
            return WireEnums.wire(this);
        }

        /** Throws ERR_OPTION_INVALID for an unknown op. */
        public static Op fromWire(String s) {
            return WireEnums.parse(Op.class, "op", s);
        }
    }

    /** Where a session is in its life: open, then closed by its owner or expired when its heartbeats stopped. */
    public enum SessionStatus {
        OPEN, CLOSED, EXPIRED;

        @JsonValue
        public String wire() {
            return WireEnums.wire(this);
        }

        public static SessionStatus fromWire(String s) {
            return WireEnums.parse(SessionStatus.class, "status", s);
        }
    }

    /** A future's state: its run is queued or running, it ended well (result), or it failed (error). */
    public enum FutureStatus {
        PENDING, COMPLETED, FAILED;

        @JsonValue
        public String wire() {
            return WireEnums.wire(this);
        }
    }

    /**
     * Tinker's LoraConfig; a key left out takes Tinker's default (rank 32, every part trained,
     * seed 0).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LoraConfig(Integer rank, Long seed, Boolean trainMlp, Boolean trainAttn, Boolean trainUnembed) {
        public LoraConfig {
            rank = rank == null ? 32 : rank;
            seed = seed == null ? 0L : seed;
            trainMlp = trainMlp == null || trainMlp;
            trainAttn = trainAttn == null || trainAttn;
            trainUnembed = trainUnembed == null || trainUnembed;
        }

        /** Throws ERR_OPTION_INVALID for a rank out of range or nothing to train. */
        public LoraConfig requireValid() {
            if (rank < 1 || rank > MAX_RANK) {
                throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "lora_config.rank must be between 1 and " + MAX_RANK
                        + ", got " + rank);
            }
            if (!trainMlp && !trainAttn && !trainUnembed) {
                throw new HangarException(ErrorCode.ERR_OPTION_INVALID,
                        "lora_config trains nothing: set at least one of train_mlp, train_attn, train_unembed");
            }
            return this;
        }
    }

    /** Body of {@code POST /v1/training/sessions} (Tinker's create_model). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CreateSession(String baseModel, LoraConfig loraConfig, String idempotencyKey) {}

    /** Body of a call ({@code POST /v1/training/sessions/{id}/{op}}): the op's arguments, as the session processor reads them. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Call(JsonNode args, String idempotencyKey) {}

    /** The session processor's inputs: which session, which call, its arguments. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Inputs(String sessionId, Op op, JsonNode args) {}

    /** A call's future: its id is the id of the run that does the work (poll it here or on {@code run_url}, stream it on {@code stream_url}). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Future(String futureId, String sessionId, Op op, String runUrl, String streamUrl) {}

    /** {@code GET /v1/training/futures/{id}}: pending, completed with the op's result, or failed with the run's error. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FutureResult(String futureId, String sessionId, Op op, FutureStatus status, JsonNode result,
                               Envelope.Error error) {}

    /** A session as its owner sees it; {@code created} is the future of its create call. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SessionInfo(String sessionId, String baseModel, LoraConfig loraConfig, SessionStatus status,
                              Instant createdAt, Instant lastHeartbeatAt, Instant closedAt, Integer heartbeatTimeoutSeconds,
                              Future created) {}
}
