package dev.hangar.gateway.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CursorTest {
    @Test
    void afterWinsOverTheHeaderAndNeitherIsTheStart() {
        assertEquals(new Cursor(2, 41), Cursor.parse("2:41", "1:7"));
        assertEquals(new Cursor(1, 7), Cursor.parse(null, "1:7"));
        assertEquals(Cursor.START, Cursor.parse(null, null));
        assertEquals(Cursor.START, Cursor.parse("", " "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"banana", "1", ":3", "1:", "-1:2", "1:-2", "1:2:3", "99999999999:1"})
    void anythingElseIsABadRequestThatSaysTheShape(String text) {
        var e = assertThrows(HangarException.class, () -> Cursor.parse(text, null));
        assertEquals(ErrorCode.ERR_BAD_REQUEST, e.code());
        assertTrue(e.getMessage().contains("<attempt>:<seq>"), e.getMessage());
    }
}
