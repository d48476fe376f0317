package dev.hangar.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.cli.error.CliError;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class InputsOptionTest {
    @TempDir
    Path tmp;

    /** Parses the args as `hangar run` does and reads the inputs the way the command will. */
    static ObjectNode inputs(InputStream stdin, String... args) {
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs(args);
        return InputsOption.read(run.inputs, stdin);
    }

    static InputStream stdin(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    static final InputStream NO_STDIN = InputStream.nullInputStream();

    @Test
    void noSourceMeansAnEmptyObject() {
        assertEquals("{}", inputs(NO_STDIN, "--ref", "a/b@1").toString());
    }

    @Test
    void readsALiteral() {
        assertEquals("hi", inputs(NO_STDIN, "--ref", "a/b@1", "--inputs-json", "{\"text\":\"hi\"}").path("text").asText());
    }

    @Test
    void readsAFile() throws Exception {
        Path f = Files.writeString(tmp.resolve("in.json"), "{\n  \"n\": 3\n}\n");
        assertEquals(3, inputs(NO_STDIN, "--ref", "a/b@1", "--inputs-file", f.toString()).path("n").asInt());
    }

    @Test
    void readsStdinUtf8() {
        assertEquals("héllo ✓", inputs(stdin("{\"t\":\"héllo ✓\"}"), "--ref", "a/b@1", "--inputs", "-").path("t").asText());
    }

    @Test
    void badLiteralNamesTheOptionAndPosition() {
        var e = assertThrows(CliError.class, () -> inputs(NO_STDIN, "--ref", "a/b@1", "--inputs-json", "{\"a\": tru}"));
        assertEquals("ERR_BAD_REQUEST", e.code());
        assertTrue(e.getMessage().contains("--inputs-json at line 1, column"), e.getMessage());
    }

    @Test
    void badFileNamesThePathAndLine() throws Exception {
        Path f = Files.writeString(tmp.resolve("y.json"), "{\n  \"a\": 1,\n  \"b\": }\n");
        var e = assertThrows(CliError.class, () -> inputs(NO_STDIN, "--ref", "a/b@1", "--inputs-file", f.toString()));
        assertTrue(e.getMessage().contains("--inputs-file " + f + " at line 3, column"), e.getMessage());
    }

    @Test
    void badStdinSaysStdin() {
        var e = assertThrows(CliError.class, () -> inputs(stdin("{\n\n  oops\n}"), "--ref", "a/b@1", "--inputs", "-"));
        assertTrue(e.getMessage().contains("--inputs - (stdin) at line 3, column"), e.getMessage());
    }

    @Test
    void trailingGarbageIsMalformed() {
        var e = assertThrows(CliError.class, () -> inputs(NO_STDIN, "--ref", "a/b@1", "--inputs-json", "{} {}"));
        assertEquals("ERR_BAD_REQUEST", e.code());
    }

    @Test
    void inputsMustBeAnObject() {
        var e = assertThrows(CliError.class, () -> inputs(NO_STDIN, "--ref", "a/b@1", "--inputs-json", "[1,2]"));
        assertEquals("ERR_INPUT_INVALID", e.code());
        assertTrue(e.getMessage().contains("must be a JSON object, got array"), e.getMessage());
    }

    @Test
    void emptyStdinIsAnError() {
        var e = assertThrows(CliError.class, () -> inputs(stdin("  \n"), "--ref", "a/b@1", "--inputs", "-"));
        assertTrue(e.getMessage().contains("--inputs - (stdin) is empty"), e.getMessage());
    }

    @Test
    void missingFileIsAnOptionError() {
        var e = assertThrows(CliError.class,
                () -> inputs(NO_STDIN, "--ref", "a/b@1", "--inputs-file", tmp.resolve("nope.json").toString()));
        assertEquals("ERR_OPTION_INVALID", e.code());
        assertTrue(e.getMessage().contains("no such file"));
    }

    @Test
    void inputsTakesOnlyADash() {
        var e = assertThrows(CliError.class, () -> inputs(NO_STDIN, "--ref", "a/b@1", "--inputs", "in.json"));
        assertEquals("ERR_OPTION_INVALID", e.code());
        assertTrue(e.getMessage().contains("--inputs-file"));
    }

    @Test
    void twoSourcesAreMutuallyExclusive() {
        var e = assertThrows(CommandLine.MutuallyExclusiveArgsException.class, () -> inputs(NO_STDIN,
                "--ref", "a/b@1", "--inputs-json", "{}", "--inputs-file", "x.json"));
        assertTrue(e.getMessage().contains("mutually exclusive"));
    }
}
