package dev.hangar.gateway.service;

import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunStatus;
import dev.hangar.gateway.config.GatewayConfig;
import dev.hangar.gateway.messaging.OutboxRelay;
import dev.hangar.gateway.store.SweepStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Ends runs that have no live owner past their deadline, so nothing stays queued or running
 * forever: a queued run that no executor started within {@code queue-deadline} of its command
 * reaching Kafka, and a running run whose executor has not reported its end {@code grace} past
 * the run's own timeout. Each gets an {@code ERR_TIMEOUT} envelope, written like an executor's. A
 * queued run of a pool (docs/remote.md) waits up to its capacity deadline instead and then gets
 * {@code ERR_NO_CAPACITY}; once an executor started it, it is a running run like any other.
 */
@ApplicationScoped
public class RunSweeper {
    private static final Logger LOG = Logger.getLogger(RunSweeper.class);

    /**
     * The seq of an event the gateway writes itself: above any executor's, so it sorts after
     * everything the attempt sent and never collides with an executor's (execution id, attempt, seq).
     */
    public static final long GATEWAY_SEQ = 1L << 40;

    private final SweepStore store;
    private final OutboxRelay relay;
    private final GatewayConfig.Sweeper config;
    private final java.time.Duration capacityWait;
    private ScheduledExecutorService timer;

    public RunSweeper(SweepStore store, OutboxRelay relay, GatewayConfig config) {
        this.store = store;
        this.relay = relay;
        this.config = config.sweeper();
        this.capacityWait = config.remote().capacityWait();
    }

    void start(@Observes StartupEvent started) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("run-sweeper").daemon().unstarted(r));
        long every = config.interval().toMillis();
        timer.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    void sweep() {
        try {
            var deadlines = new SweepStore.Deadlines(config.queueDeadline(), config.grace(), config.defaultTimeout(), capacityWait);
            int ended = store.endOverdue(deadlines, config.batchSize(), this::timeout);
            if (ended > 0) {
                LOG.infof("ended %d overdue run(s) (ERR_TIMEOUT, or ERR_NO_CAPACITY for a pool's)", ended);
                relay.wake();
            }
        } catch (HangarException e) {
            LOG.debugf("sweep skipped: %s", e.getMessage()); // the database is away; next time
        } catch (RuntimeException e) {
            LOG.warn("sweep failed", e);
        }
    }

    private RunEvent timeout(SweepStore.Overdue run) {
        if (run.noCapacity()) {
            long wait = run.capacityWaitSeconds() == null ? capacityWait.toSeconds() : run.capacityWaitSeconds();
            return terminal(run, ErrorCode.ERR_NO_CAPACITY, "no executor of pool '" + run.pool() + "' had room for the run "
                    + "within its capacity wait of " + wait + " s (hangar.gateway.remote.capacity-wait, adapter_opts."
                    + "capacity_wait_seconds): the pool's executors are busy or none is running; start one with "
                    + "HANGAR_EXECUTOR_POOL=" + run.pool() + " (docs/remote.md) or submit again later");
        }
        String message = run.status() == RunStatus.QUEUED
                ? "no executor started the run within " + seconds(config.queueDeadline()) + " of its submission reaching "
                        + "Kafka; check that an executor for adapter " + run.adapter().wire() + " is running, then submit again"
                : "the run's executor did not report its end within " + seconds(config.grace()) + " past the run's "
                        + (run.timeoutSeconds() == null ? seconds(config.defaultTimeout()) + " default" : run.timeoutSeconds() + " s")
                        + " timeout (attempt " + run.attempt() + "): it was presumed lost (crashed or cut off); submit again";
        return terminal(run, ErrorCode.ERR_TIMEOUT, message);
    }

    private static RunEvent terminal(SweepStore.Overdue run, ErrorCode code, String message) {
        var meta = new Envelope.Meta(run.ref(), run.adapter(), run.mode(), null, run.attempt(), null, null, null, null, null,
                run.plan());
        var envelope = Envelope.error(run.executionId(), code, message, null, meta);
        return RunEvent.of(run.executionId(), run.attempt(), GATEWAY_SEQ, null, RunEvent.terminal(envelope));
    }

    private static String seconds(java.time.Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
