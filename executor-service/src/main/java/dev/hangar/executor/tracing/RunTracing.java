package dev.hangar.executor.tracing;

import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.RunRequested;
import dev.hangar.contracts.RunStatus;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.function.Supplier;
import org.jboss.logging.MDC;

/**
 * One span per run ({@code hangar.run}, attribute {@code execution_id}) that continues the
 * submitter's trace: the Kafka consumer span when SmallRye made it current and it belongs to the
 * command's trace, else the command's own {@code traceparent} (a producer without OpenTelemetry
 * headers), else a new trace. While the run executes on this thread, its log lines carry
 * {@code execution_id}, {@code traceId} and {@code spanId} in the MDC.
 */
@ApplicationScoped
public class RunTracing {
    public static final String SPAN = "hangar.run";
    public static final String EXECUTION_ID = "execution_id";
    private static final String[] MDC_KEYS = {EXECUTION_ID, "traceId", "spanId"};

    private final Tracer tracer;

    public RunTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    public Envelope inRun(RunRequested command, Supplier<Envelope> work) {
        Span span = tracer.spanBuilder(SPAN).setSpanKind(SpanKind.INTERNAL).setParent(parent(command))
                .setAttribute(EXECUTION_ID, command.executionId())
                .setAttribute("hangar.attempt", command.attempt() == null ? 0 : command.attempt())
                .setAttribute("hangar.processor_ref", String.valueOf(command.ref()))
                .startSpan();
        Object[] saved = new Object[MDC_KEYS.length];
        for (int i = 0; i < MDC_KEYS.length; i++) {
            saved[i] = MDC.get(MDC_KEYS[i]);
        }
        try (var scope = span.makeCurrent()) {
            MDC.put(EXECUTION_ID, command.executionId());
            MDC.put("traceId", span.getSpanContext().getTraceId());
            MDC.put("spanId", span.getSpanContext().getSpanId());
            Envelope envelope = work.get();
            if (envelope != null) {
                span.setAttribute("hangar.status", envelope.status().wire());
                if (envelope.status() != RunStatus.SUCCESS && envelope.error() != null) {
                    span.setStatus(StatusCode.ERROR, envelope.error().code().name());
                }
            }
            return envelope;
        } catch (RuntimeException e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            throw e;
        } finally {
            span.end();
            for (int i = 0; i < MDC_KEYS.length; i++) {
                if (saved[i] == null) {
                    MDC.remove(MDC_KEYS[i]);
                } else {
                    MDC.put(MDC_KEYS[i], saved[i]);
                }
            }
        }
    }

    /** The context the run's span continues (see the class comment). */
    static Context parent(RunRequested command) {
        Context fromCommand = fromTraceparent(command.traceparent());
        var current = Span.current().getSpanContext();
        var commanded = Span.fromContext(fromCommand).getSpanContext();
        if (current.isValid() && (!commanded.isValid() || current.getTraceId().equals(commanded.getTraceId()))) {
            return Context.current();
        }
        return commanded.isValid() ? fromCommand : Context.root();
    }

    /** A W3C {@code traceparent} as a remote parent; the root context when it is missing or malformed. */
    public static Context fromTraceparent(String traceparent) {
        if (traceparent == null || traceparent.isBlank()) {
            return Context.root();
        }
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), Map.of("traceparent", traceparent), GETTER);
    }

    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };
}
