package dev.hangar.gateway.training;

import dev.hangar.contracts.HangarException;
import dev.hangar.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Ends the sessions whose heartbeats stopped: every replica looks each {@code expiry-interval};
 * the database's conditional UPDATE hands each stale session to one of them, which sends its
 * closing run, so the session's container is freed and its state dropped.
 */
@ApplicationScoped
public class SessionExpiry {
    private static final Logger LOG = Logger.getLogger(SessionExpiry.class);
    private final TrainingService training;
    private final long everyMillis;
    private ScheduledExecutorService timer;

    public SessionExpiry(TrainingService training, GatewayConfig config) {
        this.training = training;
        this.everyMillis = config.training().expiryInterval().toMillis();
    }

    void start(@Observes StartupEvent started) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("session-expiry").daemon().unstarted(r));
        timer.scheduleWithFixedDelay(this::sweep, everyMillis, everyMillis, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    void sweep() {
        try {
            int ended = training.expireStale();
            if (ended > 0) {
                LOG.infof("%d training session(s) expired: no heartbeat within their timeout", ended);
            }
        } catch (HangarException e) {
            LOG.debugf("session expiry skipped: %s", e.getMessage()); // the database is away; next round
        } catch (RuntimeException e) {
            LOG.warn("session expiry failed", e);
        }
    }
}
