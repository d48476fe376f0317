package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/**
 * One step of a run, on {@code hangar.runs.events} (key = execution id) and on the WebSocket
 * streams. {@code seq} counts from 1 per (execution id, attempt) so consumers can de-duplicate
 * and order; handlers are idempotent on (execution_id, attempt, seq).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunEvent(int schemaVersion, String executionId, int attempt, long seq, Instant createdAt,
                       String traceparent, Body event) {

    public static final int SCHEMA_VERSION = 1;

    /** What happened; {@code type} names the variant. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = Queued.class, name = "queued"),
        @JsonSubTypes.Type(value = Started.class, name = "started"),
        @JsonSubTypes.Type(value = Log.class, name = "log"),
        @JsonSubTypes.Type(value = Token.class, name = "token"),
        @JsonSubTypes.Type(value = Progress.class, name = "progress"),
        @JsonSubTypes.Type(value = Output.class, name = "output"),
        @JsonSubTypes.Type(value = Completed.class, name = "completed"),
        @JsonSubTypes.Type(value = Failed.class, name = "failed"),
        @JsonSubTypes.Type(value = Canceled.class, name = "canceled")
    })
    public sealed interface Body permits Queued, Started, Log, Token, Progress, Output, Completed, Failed, Canceled {
        /** The variant's name on the wire. */
        @com.fasterxml.jackson.annotation.JsonIgnore
        default Type type() {
            return Type.of(this);
        }
    }

    /** The event variants, by their wire names (the {@code type} property); a test checks them against the subtypes above. */
    public enum Type {
        QUEUED, STARTED, LOG, TOKEN, PROGRESS, OUTPUT, COMPLETED, FAILED, CANCELED;

        @com.fasterxml.jackson.annotation.JsonValue
        public String wire() {
            return WireEnums.wire(this);
        }

        /** Whether events of this type end a run (and carry its envelope). */
        public boolean terminal() {
            return this == COMPLETED || this == FAILED || this == CANCELED;
        }

        static Type of(Body body) {
            return switch (body) {
                case Queued q -> QUEUED;
                case Started s -> STARTED;
                case Log l -> LOG;
                case Token t -> TOKEN;
                case Progress p -> PROGRESS;
                case Output o -> OUTPUT;
                case Completed c -> COMPLETED;
                case Failed f -> FAILED;
                case Canceled c -> CANCELED;
            };
        }
    }

    /**
     * Accepted by the gateway (or taken from the bus) and waiting for an executor; or, with
     * {@code waiting}, taken by an executor whose backend queues it (a Slurm job still PENDING):
     * where and why it waits, e.g. "pending in Slurm partition gpu: Resources (job 42)".
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Queued(ProcessorRef ref, Adapter adapter, Mode mode, String waiting) implements Body {
        /** Accepted and waiting for an executor. */
        public Queued(ProcessorRef ref, Adapter adapter, Mode mode) {
            this(ref, adapter, mode, null);
        }
    }

    /** An executor started the container. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Started(ProcessorRef ref, Adapter adapter, Mode mode, String imageDigest, String executor) implements Body {}

    /** One line the processor wrote; {@code stream} is stdout or stderr. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Log(String stream, String line) implements Body {}

    /** A streamed piece of text output (LLM-style processors). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Token(String text) implements Body {}

    /** Fraction done in [0, 1] and an optional message. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Progress(double fraction, String message) implements Body {}

    /** One output stored. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Output(OutputRef output) implements Body {}

    /** Terminal: success. */
    public record Completed(Envelope envelope) implements Body, Terminal {}

    /** Terminal: error. */
    public record Failed(Envelope envelope) implements Body, Terminal {}

    /** Terminal: canceled. */
    public record Canceled(Envelope envelope) implements Body, Terminal {}

    /** The three variants that end a run; each carries the envelope. */
    public interface Terminal {
        Envelope envelope();
    }

    public static RunEvent of(String executionId, int attempt, long seq, String traceparent, Body body) {
        return new RunEvent(SCHEMA_VERSION, executionId, attempt, seq, Instant.now(), traceparent, body);
    }

    /** The terminal event for an envelope. */
    public static Body terminal(Envelope envelope) {
        return switch (envelope.status()) {
            case SUCCESS -> new Completed(envelope);
            case CANCELED -> new Canceled(envelope);
            default -> new Failed(envelope);
        };
    }
}
