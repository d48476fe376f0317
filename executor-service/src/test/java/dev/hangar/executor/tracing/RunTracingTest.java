package dev.hangar.executor.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hangar.contracts.RunRequested;
import dev.hangar.executor.service.Fixtures;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.MDC;
import org.junit.jupiter.api.Test;

/** Which trace a run continues, and what its log lines carry while it runs. */
class RunTracingTest {
    static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    static final String PARENT = "b7ad6b7169203331";

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final RunTracing tracing = new RunTracing(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(spans)).build().get("test"));

    private static RunRequested command(String traceparent) {
        return Fixtures.command("trace-0001", n -> n.put("traceparent", traceparent));
    }

    private SpanData onlySpan() {
        assertEquals(1, spans.getFinishedSpanItems().size());
        return spans.getFinishedSpanItems().getFirst();
    }

    @Test
    void theRunContinuesTheCommandsTraceparent() {
        tracing.inRun(command("00-" + TRACE + "-" + PARENT + "-01"), () -> null);

        var span = onlySpan();
        assertEquals(RunTracing.SPAN, span.getName());
        assertEquals(TRACE, span.getTraceId());
        assertEquals(PARENT, span.getParentSpanId());
        assertEquals("trace-0001", span.getAttributes().asMap().entrySet().stream()
                .filter(e -> e.getKey().getKey().equals(RunTracing.EXECUTION_ID)).findFirst().orElseThrow().getValue());
    }

    @Test
    void aMalformedTraceparentStartsANewTrace() {
        tracing.inRun(command("not-a-traceparent"), () -> null);

        var span = onlySpan();
        assertFalse(span.getParentSpanContext().isValid());
        assertEquals(32, span.getTraceId().length());
    }

    @Test
    void theConsumerSpanOfTheSameTraceIsTheParent() {
        var consumer = SpanContext.createFromRemoteParent(TRACE, "1111111111111111", TraceFlags.getSampled(), TraceState.getDefault());
        try (var scope = Span.wrap(consumer).makeCurrent()) {
            tracing.inRun(command("00-" + TRACE + "-" + PARENT + "-01"), () -> null);
        }
        assertEquals("1111111111111111", onlySpan().getParentSpanId());
    }

    @Test
    void aCurrentSpanOfAnotherTraceLosesToTheCommand() {
        var other = SpanContext.createFromRemoteParent("1".repeat(32), "2".repeat(16), TraceFlags.getSampled(), TraceState.getDefault());
        try (var scope = Span.wrap(other).makeCurrent()) {
            tracing.inRun(command("00-" + TRACE + "-" + PARENT + "-01"), () -> null);
        }
        assertEquals(TRACE, onlySpan().getTraceId());
    }

    @Test
    void logLinesOfTheRunCarryItsIdsAndNothingLeaksAfterwards() {
        Map<String, Object> seen = new HashMap<>();
        tracing.inRun(command("00-" + TRACE + "-" + PARENT + "-01"), () -> {
            seen.put("execution_id", MDC.get("execution_id"));
            seen.put("traceId", MDC.get("traceId"));
            seen.put("spanId", MDC.get("spanId"));
            return null;
        });

        assertEquals("trace-0001", seen.get("execution_id"));
        assertEquals(TRACE, seen.get("traceId"));
        assertEquals(onlySpan().getSpanId(), seen.get("spanId"));
        assertNull(MDC.get("execution_id"));
        assertNull(MDC.get("traceId"));
    }

    @Test
    void aFailureEndsTheSpanAsAnError() {
        assertThrows(IllegalStateException.class, () -> tracing.inRun(command(null), () -> {
            throw new IllegalStateException("broker gone");
        }));
        assertEquals(io.opentelemetry.api.trace.StatusCode.ERROR, onlySpan().getStatus().getStatusCode());
        assertNull(MDC.get("execution_id"));
    }
}
