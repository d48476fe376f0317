package dev.hangar.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The owner limits as an operator writes them: a typo stops the gateway with the key and the fix. */
class OwnerLimitsTest {
    @Test
    void anOwnerWithoutAnOverrideGetsTheDefault() {
        var limits = new OwnerLimits(32, " alice=100 , batch-team=4,");
        assertEquals(100, limits.of("alice"));
        assertEquals(4, limits.of("batch-team"));
        assertEquals(32, limits.of("bob"));
        assertEquals(32, new OwnerLimits(32, "").of("alice"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "32 | alice        | 'alice' is not owner=N",
            "32 | =5           | '=5' is not owner=N",
            "32 | alice=x      | owner-overrides for alice: 'x' is not a whole number from 1 to 100000",
            "32 | alice=0      | owner-overrides for alice: '0' is not a whole number from 1 to 100000",
            "32 | alice=100001 | is not a whole number from 1 to 100000",
            "32 | a=1,a=2      | owner 'a' is listed twice",
            "0  | ''           | hangar.gateway.queue.owner-max-active: '0' is not a whole number",
            "-3 | ''           | hangar.gateway.queue.owner-max-active: '-3' is not a whole number"})
    void aBadValueNamesItsKeyAndWhatIsAccepted(int defaultLimit, String overrides, String message) {
        var e = assertThrows(IllegalArgumentException.class, () -> new OwnerLimits(defaultLimit, overrides));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
