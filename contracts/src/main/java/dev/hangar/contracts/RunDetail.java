package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The answer to {@code GET /v1/runs/{id}}: the run's summary and, once it has ended, every field
 * of its {@link Envelope} beside it ({@code outputs}, {@code index_path}, {@code error},
 * {@code meta}), so a finished run reads as its envelope and a running one as its summary, with
 * one type for both.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunDetail(String executionId, RunStatus status, ProcessorRef ref, Adapter adapter, Mode mode,
                        Instant createdAt, Instant updatedAt, List<OutputRef> outputs, String indexPath,
                        Envelope.Error error, Envelope.Meta meta) {

    /** A run still going, or one that ended, with its envelope. */
    public static RunDetail of(RunSummary summary, Envelope envelope) {
        if (envelope == null) {
            return new RunDetail(summary.executionId(), summary.status(), summary.ref(), summary.adapter(), summary.mode(),
                    summary.createdAt(), summary.updatedAt(), null, null, null, null);
        }
        return new RunDetail(summary.executionId(), envelope.status(), summary.ref(), summary.adapter(), summary.mode(),
                summary.createdAt(), summary.updatedAt(), envelope.outputs(), envelope.indexPath(), envelope.error(),
                envelope.meta());
    }

    /** The envelope, once the run has ended. */
    @JsonIgnore
    public Optional<Envelope> envelope() {
        return status != null && status.terminal()
                ? Optional.of(new Envelope(status, executionId, outputs, indexPath, error, meta))
                : Optional.empty();
    }

    @JsonIgnore
    public RunSummary summary() {
        return new RunSummary(executionId, ref, status, adapter, mode, createdAt, updatedAt);
    }
}
