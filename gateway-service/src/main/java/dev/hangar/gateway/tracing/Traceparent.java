package dev.hangar.gateway.tracing;

import io.opentelemetry.api.trace.Span;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** The W3C {@code traceparent} a run command carries: the current span's, so the executor continues this trace. */
public final class Traceparent {
    private Traceparent() {}

    /** The current span's context; a fresh random one only when no span is current (tracing off). */
    public static String current() {
        var context = Span.current().getSpanContext();
        if (context.isValid()) {
            return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
        }
        var random = ThreadLocalRandom.current();
        byte[] trace = new byte[16];
        byte[] span = new byte[8];
        random.nextBytes(trace);
        random.nextBytes(span);
        return "00-" + HexFormat.of().formatHex(trace) + "-" + HexFormat.of().formatHex(span) + "-01";
    }
}
