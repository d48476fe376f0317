package dev.hangar.gateway.checkpoints;

import dev.hangar.contracts.HangarException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** Deletes checkpoints past their TTL (from S3 and the table) every {@code sweep-interval}. */
@ApplicationScoped
public class CheckpointSweeper {
    private static final Logger LOG = Logger.getLogger(CheckpointSweeper.class);
    private final CheckpointService checkpoints;
    private final CheckpointsConfig config;
    private ScheduledExecutorService timer;

    public CheckpointSweeper(CheckpointService checkpoints, CheckpointsConfig config) {
        this.checkpoints = checkpoints;
        this.config = config;
    }

    void start(@Observes StartupEvent started) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("checkpoint-sweeper").daemon().unstarted(r));
        long every = config.sweepInterval().toMillis();
        timer.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** One sweep; returns how many checkpoints it deleted. */
    public int sweep() {
        try {
            int deleted = checkpoints.deleteExpired(Instant.now());
            if (deleted > 0) {
                LOG.infof("deleted %d expired checkpoint(s)", deleted);
            }
            return deleted;
        } catch (HangarException e) {
            LOG.debugf("checkpoint sweep skipped: %s", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("checkpoint sweep failed", e);
        }
        return 0;
    }
}
