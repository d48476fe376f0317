package dev.hangar.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProcessorRefTest {

    @Test
    void parsesAndPrintsTheCanonicalForm() {
        var ref = ProcessorRef.parse("examples/echo@12");
        assertEquals(new ProcessorRef("examples", "echo", 12), ref);
        assertEquals("examples/echo@12", ref.toString());
        assertEquals("examples-echo-v12", ref.slug());
        assertEquals("examples/echo", ref.repository());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "echo", "examples/echo", "examples/echo@", "examples/echo@v1", "examples/echo@1.2",
            "examples/echo@0", "Examples/echo@1", "a/b/c@1", "../echo@1", "examples/ech o@1", "examples/echo@-1",
            "examples/echo@99999999999"})
    void refusesEveryOtherForm(String text) {
        var e = assertThrows(HangarException.class, () -> ProcessorRef.parse(text));
        assertEquals(ErrorCode.ERR_REF_INVALID, e.code());
    }
}
