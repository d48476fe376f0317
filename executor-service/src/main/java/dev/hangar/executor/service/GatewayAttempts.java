package dev.hangar.executor.service;

import dev.hangar.contracts.AttemptClaim;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.RunStatus;
import dev.hangar.executor.client.GatewayAttemptsClient;
import dev.hangar.executor.config.DeliveryConfig;
import dev.hangar.executor.config.ExecutorConfig;
import dev.hangar.kit.client.Remote;
import dev.hangar.kit.retry.Patience;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Claims attempts from the gateway. No attempt starts without an answer: while the gateway is
 * unreachable, another executor holds the attempt ({@code ERR_ATTEMPT_RUNNING}), or it answers
 * anything but a claim or one of the two refusals, the claim is retried, and the command stays
 * unacknowledged on the bus meanwhile. A held attempt's lease is renewed every third of its length.
 */
@ApplicationScoped
public class GatewayAttempts implements Attempts {
    private static final Logger LOG = Logger.getLogger(GatewayAttempts.class);
    private final GatewayAttemptsClient gateway;
    private final ExecutorConfig config;
    private final Patience patience;
    private final Duration lease;
    private final ScheduledExecutorService renewals = Executors
            .newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("attempt-leases").factory());
    private static final Duration FLUSH = Duration.ofSeconds(5);
    private final ExecutorService ends = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("attempt-end-", 0).factory());

    public GatewayAttempts(@RestClient GatewayAttemptsClient gateway, ExecutorConfig config, DeliveryConfig delivery) {
        this.gateway = gateway;
        this.config = config;
        this.patience = new Patience(delivery.retryInitial(), delivery.retryMax());
        this.lease = delivery.lease();
    }

    @Override
    public AutoCloseable hold(AttemptClaim claim) {
        long every = Math.max(1, lease.toMillis() / 3);
        var renewal = renewals.scheduleWithFixedDelay(() -> renew(claim), every, every, TimeUnit.MILLISECONDS);
        return () -> renewal.cancel(false);
    }

    private void renew(AttemptClaim claim) {
        try {
            gateway.renew(config.internalToken(), claim.executionId(), claim.attempt(), request(claim.maxAttempts()));
        } catch (HangarException e) {
            LOG.errorf("run %s attempt %d: %s", claim.executionId(), claim.attempt(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf("run %s attempt %d: cannot renew its lease at the gateway (tried again in %d ms): %s",
                    claim.executionId(), claim.attempt(), lease.toMillis() / 3, e.getMessage());
        }
    }

    /**
     * Reports the end on a thread of its own: the run's thread (and its share of the host) goes
     * on to the next command instead of waiting for the gateway's answer (≈ 4 ms, perf/PROFILE-executor.md).
     * Nothing waits for it: until it lands, the attempt's lease (no longer renewed) refuses another
     * executor's claim, and a redelivery here is dropped by {@link RunService}'s memory of the runs it ended.
     */
    @Override
    public void ended(String executionId, int attempt, RunStatus status) {
        try {
            ends.execute(() -> report(executionId, attempt, status));
        } catch (RejectedExecutionException stopped) {
            report(executionId, attempt, status); // stopping: report it on the caller's thread
        }
    }

    private void report(String executionId, int attempt, RunStatus status) {
        try {
            Remote.call("the gateway (attempt ends)", () -> {
                gateway.end(config.internalToken(), executionId, attempt, new AttemptClaim.Ended(config.id(), status));
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warnf("run %s attempt %d: cannot report its end to the gateway (its lease runs out instead): %s",
                    executionId, attempt, e.getMessage());
        }
    }

    /**
     * SIGTERM: the ends still on their way are reported before the REST client goes (after
     * {@link RunService}'s wait for its runs' envelopes, priority 500), for at most {@link #FLUSH}.
     */
    void onStop(@jakarta.enterprise.event.Observes @jakarta.annotation.Priority(600) io.quarkus.runtime.ShutdownEvent stop) {
        ends.shutdown();
        try {
            if (!ends.awaitTermination(FLUSH.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warnf("stopping with attempt ends not reported to the gateway after %d s; their leases run out instead",
                        FLUSH.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private AttemptClaim.Request request(int maxAttempts) {
        return new AttemptClaim.Request(config.id(), maxAttempts, (int) Math.max(1, lease.toSeconds()));
    }

    @Override
    public AttemptClaim claim(String executionId, int maxAttempts) {
        var request = request(maxAttempts);
        return patience.until("claiming an attempt of " + executionId + " from the gateway",
                () -> Remote.call("the gateway (attempt claims)", () -> gateway.claim(config.internalToken(), executionId, request)),
                GatewayAttempts::isRefusal);
    }

    private static boolean isRefusal(RuntimeException e) {
        return e instanceof HangarException h
                && (h.code() == ErrorCode.ERR_RUN_FINISHED || h.code() == ErrorCode.ERR_ATTEMPTS_EXHAUSTED);
    }
}
