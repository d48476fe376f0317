package dev.hangar.executor.service;

import dev.hangar.executor.config.ExecutorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/** This host's {@link Capacity}, from {@code hangar.executor.capacity.*} with the host's own CPUs and memory as defaults. */
@ApplicationScoped
public class CapacityProducer {

    @Produces
    @ApplicationScoped
    Capacity capacity(ExecutorConfig config) {
        var c = config.capacity();
        boolean enforced = c.enforced().orElse(config.pool().isPresent() && config.backend() == ExecutorConfig.Backend.DOCKER);
        double cpus = c.cpus().orElse((double) Runtime.getRuntime().availableProcessors());
        long memory = c.memoryMb().map(Integer::longValue).orElseGet(CapacityProducer::hostMemoryMb);
        String where = config.pool().map(p -> "pool '" + p + "' (executor " + config.id() + ")").orElse("executor " + config.id());
        return new Capacity(enforced, new Capacity.Needs(cpus, memory, c.gpus()), where, Duration.ofSeconds(1));
    }

    private static long hostMemoryMb() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() / (1024 * 1024);
        }
        return Long.MAX_VALUE / 2;
    }
}
