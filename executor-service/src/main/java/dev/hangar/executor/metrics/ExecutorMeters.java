package dev.hangar.executor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;

/**
 * The executor's own meters, on Micrometer's global registry (Quarkus adds its Prometheus
 * registry there) so that classes built outside CDI, as tests build them, record too; without
 * Quarkus the global registry has no member and recording is a no-op.
 */
public final class ExecutorMeters {
    public static final String CONTAINER_STARTS = "hangar.container.starts";
    public static final String UPLOADED_BYTES = "hangar.upload.bytes";
    public static final String DLQ_RECORDS = "hangar.dlq.records";

    private ExecutorMeters() {}

    /** A run's container was started on this host's engine. */
    public static void containerStarted() {
        Counter.builder(CONTAINER_STARTS).description("Run containers started on this host's engine")
                .register(Metrics.globalRegistry).increment();
    }

    /** Bytes of one object stored in the artefacts bucket (outputs and their outputs.json). */
    public static void uploaded(long bytes) {
        Counter.builder(UPLOADED_BYTES).description("Bytes stored in the artefacts bucket").baseUnit("bytes")
                .register(Metrics.globalRegistry).increment(bytes);
    }

    /** A record of {@code channel} was nacked, which sends it to that channel's dead-letter topic. */
    public static void deadLettered(String channel) {
        Counter.builder(DLQ_RECORDS).description("Records sent to a dead-letter topic").tag("channel", channel)
                .register(Metrics.globalRegistry).increment();
    }
}
