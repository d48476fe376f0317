package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The answer to {@code GET /v1/runs/{id}}, one type for the whole life of a run: while it is
 * queued or running, its summary ({@code ref}, {@code adapter}, {@code mode}, {@code created_at},
 * {@code updated_at}); once it has ended, exactly its {@link Envelope} ({@code outputs},
 * {@code index_path}, {@code error}, {@code meta}) — the same JSON the run's stream ended with.
 * {@code execution_id} and {@code status} are always there; absent fields are left out. A queued
 * run also says why and where it waits ({@code queue}, a {@link RunQueue}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunDetail(String executionId, RunStatus status, ProcessorRef ref, Adapter adapter, Mode mode,
                        Instant createdAt, Instant updatedAt, List<OutputRef> outputs, String indexPath,
                        Envelope.Error error, Envelope.Meta meta, RunQueue queue) {

    /** A run still going. */
    public static RunDetail of(RunSummary summary) {
        return new RunDetail(summary.executionId(), summary.status(), summary.ref(), summary.adapter(), summary.mode(),
                summary.createdAt(), summary.updatedAt(), null, null, null, null, summary.queue());
    }

    /** A run that has ended: its envelope. */
    public static RunDetail of(Envelope envelope) {
        return new RunDetail(envelope.executionId(), envelope.status(), null, null, null, null, null, envelope.outputs(),
                envelope.indexPath(), envelope.error(), envelope.meta(), null);
    }

    /** The envelope, once the run has ended. */
    @JsonIgnore
    public Optional<Envelope> envelope() {
        return status != null && status.terminal()
                ? Optional.of(new Envelope(status, executionId, outputs, indexPath, error, meta))
                : Optional.empty();
    }

    /** The summary of a run still going (an ended run's summary is in {@code GET /v1/runs}). */
    @JsonIgnore
    public Optional<RunSummary> summary() {
        return status != null && status.terminal() ? Optional.empty()
                : Optional.of(new RunSummary(executionId, ref, status, adapter, mode, createdAt, updatedAt, queue));
    }
}
