package dev.hangar.gateway.metrics;

import dev.hangar.gateway.ws.StreamHub;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Singleton;

/** Open WebSocket subscribers, read from the hub whenever Prometheus scrapes. */
@Singleton
public class StreamMeters implements MeterBinder {
    public static final String SUBSCRIBERS = "hangar.stream.subscribers";

    private final StreamHub hub;

    public StreamMeters(StreamHub hub) {
        this.hub = hub;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder(SUBSCRIBERS, hub, h -> h.runSubscribers()).description("Sockets following one run")
                .tag("socket", "run").register(registry);
        Gauge.builder(SUBSCRIBERS, hub, h -> h.allRunsSubscribers()).description("Sockets following all runs")
                .tag("socket", "all").register(registry);
    }
}
