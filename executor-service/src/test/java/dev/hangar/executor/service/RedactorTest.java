package dev.hangar.executor.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {

    @Test
    void everyOccurrenceOfEverySecretIsMasked() {
        var redactor = new Redactor(List.of("s3cr3t-token", "hunter22"));
        assertEquals("auth **redacted** then **redacted** and **redacted**",
                redactor.apply("auth s3cr3t-token then hunter22 and s3cr3t-token"));
    }

    @Test
    void aSecretContainingAnotherIsMaskedWhole() {
        var redactor = new Redactor(List.of("abcd", "abcdefgh"));
        assertEquals("key=**redacted**", redactor.apply("key=abcdefgh"), "no 'efgh' left over from masking the shorter one first");
    }

    @Test
    void veryShortValuesAreNotMaskedSoLogsStayReadable() {
        var redactor = new Redactor(List.of("on", "abc"));
        assertEquals("option abc is on", redactor.apply("option abc is on"));
    }

    @Test
    void nothingToMaskLeavesTextAsItIs() {
        assertEquals("plain", Redactor.NONE.apply("plain"));
        assertNull(new Redactor(List.of("secret-value")).apply(null));
    }
}
