package dev.hangar.gateway.metrics;

import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.RunEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The gateway's run meters, on Micrometer's global registry (Quarkus adds its Prometheus
 * registry there). Tags stay low-cardinality: the processor ref and the status, never an id.
 */
public final class GatewayMeters {
    public static final String RUNS = "hangar.runs";
    public static final String QUEUE_TIME = "hangar.run.queue";
    public static final String DURATION = "hangar.run.duration";
    public static final String DLQ_RECORDS = "hangar.dlq.records";
    private static final Duration[] BUCKETS = {Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1)};

    private GatewayMeters() {}

    /** Call once per stored event (RunStore.apply said it was new): a terminal one counts its run and its times. */
    public static void applied(RunEvent event) {
        if (!(event.event() instanceof RunEvent.Terminal terminal)) {
            return;
        }
        Envelope envelope = terminal.envelope();
        Envelope.Meta meta = envelope.meta();
        String processor = meta == null || meta.ref() == null ? "unknown" : meta.ref();
        Counter.builder(RUNS).description("Runs that ended, by status and processor")
                .tag("status", envelope.status().wire()).tag("processor", processor)
                .register(Metrics.globalRegistry).increment();
        if (meta == null) {
            return;
        }
        if (meta.queueMs() != null) {
            timer(QUEUE_TIME, "Time from submission to the executor taking the run", processor).record(Duration.ofMillis(meta.queueMs()));
        }
        if (meta.durationMs() != null) {
            timer(DURATION, "Time the executor spent on the run", processor).record(Duration.ofMillis(meta.durationMs()));
        }
    }

    /** A record of {@code channel} was nacked, which sends it to that channel's dead-letter topic. */
    public static void deadLettered(String channel) {
        Counter.builder(DLQ_RECORDS).description("Records sent to a dead-letter topic").tag("channel", channel)
                .register(Metrics.globalRegistry).increment();
    }

    private static Timer timer(String name, String description, String processor) {
        return Timer.builder(name).description(description).tag("processor", processor)
                .serviceLevelObjectives(BUCKETS).register(Metrics.globalRegistry);
    }
}
