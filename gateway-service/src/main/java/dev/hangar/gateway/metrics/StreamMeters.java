package dev.hangar.gateway.metrics;

import dev.hangar.gateway.ws.StreamHub;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Singleton;

/**
 * Open WebSocket subscribers and the frames sent to them, read from the hub whenever Prometheus
 * scrapes. The frames are counted here, not by websockets-next's per-message metrics: those
 * encode every frame a second time and look a counter up per socket and frame, half of the
 * fan-out's allocations (perf/PROFILE-gateway.md).
 */
@Singleton
public class StreamMeters implements MeterBinder {
    public static final String SUBSCRIBERS = "hangar.stream.subscribers";
    public static final String FRAMES = "hangar.stream.frames";

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
        FunctionCounter.builder(FRAMES, hub, h -> h.runFramesSent()).description("Frames sent to sockets following one run")
                .tag("socket", "run").register(registry);
        FunctionCounter.builder(FRAMES, hub, h -> h.allRunsFramesSent()).description("Frames sent to sockets following all runs")
                .tag("socket", "all").register(registry);
    }
}
