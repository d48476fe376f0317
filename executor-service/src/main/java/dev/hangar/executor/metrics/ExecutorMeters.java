package dev.hangar.executor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
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
    public static final String WARM_RUNS = "hangar.warm.runs";
    public static final String WARM_CONTAINERS = "hangar.warm.containers";
    public static final String WARM_SLOTS_BUSY = "hangar.warm.slots.busy";
    public static final String WARM_WAITING = "hangar.warm.waiting";

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

    /** How a run found its container: {@code hit} (a READY warm one), {@code start} (one started for it), {@code cold}. */
    public static void warmRun(String outcome) {
        Counter.builder(WARM_RUNS).description("Runs by how they found a container: warm hit, warm start, cold")
                .tag("outcome", outcome).register(Metrics.globalRegistry).increment();
    }

    /** Gauges of a warm pool: containers per state, slots busy, runs waiting for a slot. */
    public static void warmPool(dev.hangar.executor.docker.WarmPool pool) {
        for (String state : java.util.List.of("starting", "ready", "retired")) {
            Gauge.builder(WARM_CONTAINERS, pool, p -> p.containersByState().getOrDefault(state, 0))
                    .description("Warm containers of this executor per state").tag("state", state).register(Metrics.globalRegistry);
        }
        Gauge.builder(WARM_SLOTS_BUSY, pool, p -> p.busySlots()).description("Warm container slots running a run")
                .register(Metrics.globalRegistry);
        Gauge.builder(WARM_WAITING, pool, p -> p.waiting()).description("Runs waiting for a warm slot")
                .register(Metrics.globalRegistry);
    }
}
