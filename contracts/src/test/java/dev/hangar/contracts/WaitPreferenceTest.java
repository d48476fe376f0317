package dev.hangar.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WaitPreferenceTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "wait                         | 60",
        "wait=5                       | 5",
        "WAIT = 60                    | 60",
        "wait=\"7\"                   | 7",
        "respond-async, wait=10       | 10",
        "return=minimal; x=y, wait=1  | 1",
        "wait=3, wait=9               | 3",
        "wait=2;foo=bar               | 2",
        "foo=\"x,y\", wait=3          | 3",
        "wait=4;note=\"a,b;c\"        | 4",
        "foo=\"q\\\",wait=1\", wait=6   | 6",
    })
    void readsTheWaitPreference(String header, int seconds) {
        assertEquals(Optional.of(new WaitPreference(seconds)), WaitPreference.parse(List.of(header)));
    }

    @Test
    void otherPreferencesAndNoHeaderMeanNoWait() {
        assertTrue(WaitPreference.parse(null).isEmpty());
        assertTrue(WaitPreference.parse(List.of()).isEmpty());
        assertTrue(WaitPreference.parse(List.of("respond-async", "return=representation")).isEmpty());
        assertTrue(WaitPreference.parse(List.of("waiting=5")).isEmpty()); // another token, not ours
        assertTrue(WaitPreference.parse(List.of("foo=\"a, wait=5\"")).isEmpty()); // inside another's quoted value
    }

    @Test
    void theFirstHeaderWins() {
        assertEquals(4, WaitPreference.parse(List.of("respond-async", "wait=4", "wait=8")).orElseThrow().seconds());
    }

    @ParameterizedTest
    @ValueSource(strings = {"wait=0", "wait=61", "wait=-1", "wait=abc", "wait=1.5", "wait=", "wait=99999"})
    void refusesAWaitItCannotHonour(String header) {
        var e = assertThrows(HangarException.class, () -> WaitPreference.parse(List.of(header)));
        assertEquals(ErrorCode.ERR_BAD_REQUEST, e.code());
        assertTrue(e.getMessage().contains("Prefer: wait"), e.getMessage());
    }

    @Test
    void saysWhatItApplied() {
        assertEquals("wait=60", WaitPreference.parse(List.of("wait")).orElseThrow().applied());
    }
}
