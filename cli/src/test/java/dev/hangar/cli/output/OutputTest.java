package dev.hangar.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputTest {
    @Test
    void sizesAndDurationsReadWell() {
        assertEquals("62 B", Output.size(62));
        assertEquals("1.5 KiB", Output.size(1536));
        assertEquals("3.0 MiB", Output.size(3L << 20));
        assertEquals("812 ms", Output.millis(812));
        assertEquals("4.2 s", Output.millis(4200));
    }

    @Test
    void tablesAlignColumnsWithoutTrailingSpaces() {
        StringWriter sw = new StringWriter();
        new Output(new PrintWriter(sw), new PrintWriter(new StringWriter()))
                .table(List.of("A", "LONGER", "C"), List.of(List.of("xx", "y", ""), List.of("x", "yyyyyyy", "z")));
        assertEquals("A   LONGER   C\nxx  y\nx   yyyyyyy  z\n", sw.toString());
    }
}
