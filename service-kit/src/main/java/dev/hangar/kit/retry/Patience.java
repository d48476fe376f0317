package dev.hangar.kit.retry;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Tries a call until it succeeds, pausing {@code initial}, then twice as long each time up to
 * {@code max}. What must not be lost (a terminal envelope, an attempt claim) is retried for as
 * long as the process lives: an interrupt (shutdown) does not end the loop, so the command is
 * never acknowledged without it; the JVM's exit ends it and Kafka redelivers the command.
 */
public final class Patience {
    private static final Logger LOG = Logger.getLogger(Patience.class);

    private final Duration initial;
    private final Duration max;

    public Patience(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
    }

    /** The call's result; an exception {@code isFinal} accepts is thrown at once, any other is retried. */
    public <T> T until(String what, Supplier<T> call, Predicate<RuntimeException> isFinal) {
        Duration pause = initial;
        boolean interrupted = false;
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    return call.get();
                } catch (RuntimeException e) {
                    if (isFinal.test(e)) {
                        throw e;
                    }
                    LOG.warnf("%s failed (try %d), trying again in %d ms: %s", what, attempt, pause.toMillis(), e.getMessage());
                }
                interrupted |= Thread.interrupted();
                LockSupport.parkNanos(pause.toNanos());
                pause = pause.multipliedBy(2).compareTo(max) > 0 ? max : pause.multipliedBy(2);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
