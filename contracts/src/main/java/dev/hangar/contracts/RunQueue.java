package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/**
 * Why and where a {@code queued} run waits, in {@link RunDetail} and {@link RunSummary}: held by
 * the gateway because its owner already has {@code owner_limit} runs dispatched and unfinished
 * ({@code position} 1 is released next), on its way to Kafka, or on Kafka waiting for a free
 * executor. {@code since} is when it entered this state, {@code queued_for_ms} how long it has
 * been queued in all. Counts are the owner's own runs only; other owners' runs are never counted.
 * A remote run names the {@code pool} whose executors it waits for and the {@code capacity_deadline}
 * at which it fails with {@link ErrorCode#ERR_NO_CAPACITY} if none of them has started it;
 * {@code waiting} is what the executor that took it last said about where it waits (its backend's
 * queue, e.g. "pending in Slurm partition gpu: Resources (job 42)").
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunQueue(State state, Integer position, Integer ownerActive, Integer ownerLimit, Instant since,
                       Long queuedForMs, String pool, Instant capacityDeadline, String waiting) {

    /** A run on Kafka or on its way there, with no word yet from an executor's backend. */
    public RunQueue(State state, Integer position, Integer ownerActive, Integer ownerLimit, Instant since, Long queuedForMs,
                    String pool, Instant capacityDeadline) {
        this(state, position, ownerActive, ownerLimit, since, queuedForMs, pool, capacityDeadline, null);
    }

    /** A run for the default executors (no pool). */
    public RunQueue(State state, Integer position, Integer ownerActive, Integer ownerLimit, Instant since, Long queuedForMs) {
        this(state, position, ownerActive, ownerLimit, since, queuedForMs, null, null);
    }

    /** Where a queued run is. */
    public enum State {
        /** The gateway holds the command: the owner is at its concurrency limit; released in submit order. */
        HELD_OWNER_LIMIT,
        /** The command is committed and being sent to Kafka (or waits for Kafka to come back). */
        DISPATCHING,
        /** The command is on Kafka; no executor has started the run yet (all are busy, or none runs). */
        DISPATCHED;

        @JsonValue
        public String wire() {
            return WireEnums.wire(this);
        }
    }
}
