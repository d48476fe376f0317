package dev.hangar.executor.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * How the executor keeps its delivery promises (docs/delivery.md): a terminal envelope and an
 * attempt claim are retried, with doubling pauses, until Kafka acknowledges or the gateway answers.
 */
@ConfigMapping(prefix = "hangar.executor.delivery")
public interface DeliveryConfig {

    /** The first pause after a failed publish or claim; each further one doubles. */
    @WithDefault("1s")
    Duration retryInitial();

    /** The longest pause between two tries. */
    @WithDefault("30s")
    Duration retryMax();

    /**
     * How long one publish of the terminal envelope may wait for the broker's answer; longer than
     * the producer's own {@code delivery.timeout.ms} + {@code max.block.ms} (30 s + 10 s), so a
     * copy is sent again only after the first one definitely failed.
     */
    @WithDefault("60s")
    Duration ackTimeout();

    /**
     * How long a claimed attempt stays this executor's without renewal; renewed every third of it
     * while the run lasts. A killed executor's run goes to another one after at most this long
     * (and the consumer group's session timeout).
     */
    @WithDefault("30s")
    Duration lease();
}
