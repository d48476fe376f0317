package dev.hangar.gateway.error;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import java.time.Duration;

/** A submission refused to keep the gateway answering: {@code 429 ERR_RATE_LIMITED} with a Retry-After. */
public class RateLimited extends HangarException {
    private final Duration retryAfter;

    public RateLimited(String message, Duration retryAfter) {
        super(ErrorCode.ERR_RATE_LIMITED, message);
        this.retryAfter = retryAfter;
    }

    /** Whole seconds, at least 1, as the Retry-After header wants them. */
    public long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
}
