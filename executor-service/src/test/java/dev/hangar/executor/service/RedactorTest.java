package dev.hangar.executor.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.hangar.contracts.RunEvent;
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
    void shortSecretsAreMaskedTooWhateverTheyDoToTheText() {
        var redactor = new Redactor(List.of("on", "7"));
        assertEquals("opti**redacted** is **redacted**, pin **redacted**", redactor.apply("option is on, pin 7"));
        assertEquals("**redacted**", new Redactor(List.of("e")).apply("e"), "the mask is written once, never masked again");
    }

    @Test
    void aMultiLineSecretIsMaskedWholeAndLineByLine() {
        String pem = "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----\n";
        var redactor = new Redactor(List.of(pem));
        assertEquals("k=**redacted**", redactor.apply("k=" + pem));
        assertEquals("line: **redacted**", redactor.apply("line: MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"));
    }

    @Test
    void everyTextOfEveryEventIsMasked() {
        var redactor = new Redactor(List.of("canary-9"));
        assertEquals(new RunEvent.Log("stderr", "x **redacted**"), redactor.mask(new RunEvent.Log("stderr", "x canary-9")));
        assertEquals(new RunEvent.Token("**redacted**!"), redactor.mask(new RunEvent.Token("canary-9!")));
        assertEquals(new RunEvent.Progress(0.5, "at **redacted**"), redactor.mask(new RunEvent.Progress(0.5, "at canary-9")));
        assertEquals(new RunEvent.Progress(0.5, null), redactor.mask(new RunEvent.Progress(0.5, null)));
    }

    @Test
    void nothingToMaskLeavesTextAsItIs() {
        assertEquals("plain", Redactor.NONE.apply("plain"));
        assertNull(new Redactor(List.of("secret-value")).apply(null));
        assertEquals("regex chars .* stay literal", new Redactor(List.of("a+b")).apply("regex chars .* stay literal"));
    }

    @Test
    void aSecretSplitAcrossTokensIsMaskedWhole() {
        var stream = new Redactor(List.of("sk-canary")).stream();
        var out = new java.util.ArrayList<RunEvent.Body>();
        for (String piece : List.of("The key is s", "k-can", "ary", ", and sk", " is not one.")) {
            out.addAll(stream.mask(new RunEvent.Token(piece)));
        }
        out.addAll(stream.mask(new RunEvent.Log("stdout", "done")));
        String text = out.stream().filter(b -> b instanceof RunEvent.Token).map(b -> ((RunEvent.Token) b).text())
                .reduce("", String::concat);
        assertEquals("The key is **redacted**, and sk is not one.", text);
        assertEquals(new RunEvent.Log("stdout", "done"), out.getLast(), "held text is released before the next event");
        assertEquals(new RunEvent.Token("The key is "), out.getFirst(), "only what could start a secret waits");
    }

    @Test
    void withoutSecretsEveryEventPassesAtOnce() {
        var stream = Redactor.NONE.stream();
        assertEquals(List.of(new RunEvent.Token("s")), stream.mask(new RunEvent.Token("s")));
    }
}
