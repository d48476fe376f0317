package dev.hangar.gateway.tracing;

import io.opentelemetry.api.trace.Span;
import org.jboss.logging.MDC;

/**
 * Names the run the current work is about: {@code execution_id} in the MDC (so every log line of
 * this request or record carries it; Quarkus keeps the MDC per request on its duplicated context)
 * and on the current span.
 */
public final class RunContext {
    public static final String EXECUTION_ID = "execution_id";

    private RunContext() {}

    public static void tag(String executionId) {
        if (executionId == null) {
            return;
        }
        MDC.put(EXECUTION_ID, executionId);
        Span.current().setAttribute(EXECUTION_ID, executionId);
    }

    public static void clear() {
        MDC.remove(EXECUTION_ID);
    }
}
