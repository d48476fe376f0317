package dev.hangar.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    final RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1));
    final Random random = new Random(7);

    @Test
    void theDelayDoublesIsJitteredInItsUpperHalfAndCapped() {
        for (int failed = 1; failed <= 9; failed++) {
            long full = Math.min(1000, 100L << (failed - 1));
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int i = 0; i < 200; i++) {
                long d = policy.delay(failed, Optional.empty(), random).toMillis();
                min = Math.min(min, d);
                max = Math.max(max, d);
            }
            assertTrue(min >= full / 2 && max <= full, failed + ": " + min + ".." + max + " not within " + full / 2 + ".." + full);
            assertTrue(max > min, "jittered");
        }
    }

    @Test
    void aLongerRetryAfterWinsAShorterOneDoesNot() {
        assertEquals(5000, policy.delay(1, Optional.of(Duration.ofSeconds(5)), random).toMillis());
        assertTrue(policy.delay(4, Optional.of(Duration.ZERO), random).toMillis() >= 400);
    }

    @Test
    void retryAfterIsSecondsOrAnHttpDate() {
        var now = ZonedDateTime.of(2026, 12, 1, 12, 0, 0, 0, ZoneOffset.UTC);
        assertEquals(Optional.of(Duration.ofSeconds(3)), RetryPolicy.parseRetryAfter("3", now));
        assertEquals(Optional.of(Duration.ofSeconds(90)), RetryPolicy.parseRetryAfter("Tue, 01 Dec 2026 12:01:30 GMT", now));
        assertEquals(Optional.of(Duration.ZERO), RetryPolicy.parseRetryAfter("Tue, 01 Dec 2026 11:00:00 GMT", now));
        assertEquals(Optional.empty(), RetryPolicy.parseRetryAfter("soon", now));
        assertEquals(Optional.empty(), RetryPolicy.parseRetryAfter("-1", now));
        assertEquals(Optional.empty(), RetryPolicy.parseRetryAfter(null, now));
    }

    @Test
    void onlyTransientStatusesAreRetried() {
        for (int s : new int[] {408, 429, 500, 502, 503, 504, 599}) {
            assertTrue(RetryPolicy.transientStatus(s), "" + s);
        }
        for (int s : new int[] {200, 301, 400, 401, 403, 404, 409, 413, 422}) {
            assertFalse(RetryPolicy.transientStatus(s), "" + s);
        }
    }
}
