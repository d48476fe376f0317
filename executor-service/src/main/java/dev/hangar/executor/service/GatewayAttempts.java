package dev.hangar.executor.service;

import dev.hangar.contracts.AttemptClaim;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.executor.client.GatewayAttemptsClient;
import dev.hangar.executor.config.DeliveryConfig;
import dev.hangar.executor.config.ExecutorConfig;
import dev.hangar.kit.client.Remote;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Claims attempts from the gateway. No attempt starts without an answer: while the gateway is
 * unreachable (or answers anything but a claim or one of the two refusals) the claim is retried,
 * and the command stays unacknowledged on the bus meanwhile.
 */
@ApplicationScoped
public class GatewayAttempts implements Attempts {
    private final GatewayAttemptsClient gateway;
    private final ExecutorConfig config;
    private final Patience patience;

    public GatewayAttempts(@RestClient GatewayAttemptsClient gateway, ExecutorConfig config, DeliveryConfig delivery) {
        this.gateway = gateway;
        this.config = config;
        this.patience = new Patience(delivery.retryInitial(), delivery.retryMax());
    }

    @Override
    public AttemptClaim claim(String executionId, int maxAttempts) {
        var request = new AttemptClaim.Request(config.id(), maxAttempts);
        return patience.until("claiming an attempt of " + executionId + " from the gateway",
                () -> Remote.call("the gateway (attempt claims)", () -> gateway.claim(config.internalToken(), executionId, request)),
                GatewayAttempts::isRefusal);
    }

    private static boolean isRefusal(RuntimeException e) {
        return e instanceof HangarException h
                && (h.code() == ErrorCode.ERR_RUN_FINISHED || h.code() == ErrorCode.ERR_ATTEMPTS_EXHAUSTED);
    }
}
