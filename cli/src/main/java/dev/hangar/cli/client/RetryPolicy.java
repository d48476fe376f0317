package dev.hangar.cli.client;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When the CLI sends a gateway call again, and after how long. Only transient answers are retried
 * (408, 429, 5xx, a connection that failed); never a user error. The wait doubles from
 * {@code initialDelay} up to {@code maxDelay}, and is drawn at random from its upper half so many
 * clients that failed together do not come back together; a {@code Retry-After} the server sent
 * is waited in full when it is longer. The caller stops at its deadline whatever the count.
 * A dozen lines of policy with the deadline and Retry-After in it did not earn a library.
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay) {
    /** Five attempts, 250 ms doubling to 8 s: at most about 4 s of waiting when no Retry-After is sent. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(250), Duration.ofSeconds(8));
    /** One attempt only. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

    public RetryPolicy {
        if (maxAttempts < 1 || initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("maxAttempts >= 1 and 0 <= initialDelay <= maxDelay");
        }
    }

    /** A status worth sending the same request again for: the server may answer differently soon. */
    public static boolean transientStatus(int status) {
        return status == 408 || status == 429 || status >= 500 && status <= 599;
    }

    /** The wait after {@code failed} attempts (1 = the first failed): jittered, capped, at least the Retry-After. */
    public Duration delay(int failed, Optional<Duration> retryAfter, RandomGenerator random) {
        long cap = maxDelay.toMillis();
        long base = Math.min(cap, initialDelay.toMillis() << Math.min(failed - 1, 30));
        long jittered = base / 2 + (base / 2 == 0 ? 0 : random.nextLong(base - base / 2 + 1));
        long ms = Math.max(jittered, retryAfter.map(Duration::toMillis).orElse(0L));
        return Duration.ofMillis(ms);
    }

    /** A {@code Retry-After} value: whole seconds, or an HTTP date (RFC 1123), relative to {@code now}. */
    public static Optional<Duration> parseRetryAfter(String value, ZonedDateTime now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.strip();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException bad) {
                return Optional.empty(); // a malformed header is ignored, the backoff applies
            }
        }
    }
}
