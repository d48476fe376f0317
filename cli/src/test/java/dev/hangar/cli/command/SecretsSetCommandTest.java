package dev.hangar.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.cli.CliRunner;
import dev.hangar.cli.error.CliError;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** A secret's value never comes from argv; everything here is decided before any request. */
class SecretsSetCommandTest {
    @TempDir
    Path tmp;

    final String closed = CliRunner.closedUrl();

    static SecretsSetCommand parsed(String stdin, String... args) {
        SecretsSetCommand cmd = new SecretsSetCommand();
        new CommandLine(cmd).parseArgs(args);
        cmd.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        cmd.console = null;
        cmd.env = Map.of("MY_TOKEN", "from-env");
        return cmd;
    }

    static String value(String stdin, String... args) {
        SecretsSetCommand cmd = parsed(stdin, args);
        cmd.checkArguments();
        return cmd.value();
    }

    @Test
    void aValueOnTheCommandLineIsRefusedWithoutEchoingIt() {
        var r = CliRunner.run("secrets", "set", "API_KEY", "hunter2", "--url", closed);
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().startsWith("error: ERR_OPTION_INVALID: secrets set takes only NAME: a secret's value is never "
                + "given on the command line"), r::toString);
        assertFalse(r.toString().contains("hunter2"), "the value is not repeated: " + r);
        assertFalse(r.err().contains("ERR_UNAVAILABLE"), "refused before any request: " + r);
    }

    @Test
    void nameEqualsValueIsRefusedWithoutEchoingIt() {
        var r = CliRunner.run("secrets", "set", "API_KEY=hunter2", "--url", closed);
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().startsWith("error: ERR_SECRET_INVALID: give the secret's NAME alone"), r::toString);
        assertFalse(r.toString().contains("hunter2"), r::toString);
    }

    @Test
    void thereIsNoPositionalValueParameter() {
        var positional = new CommandLine(new SecretsSetCommand()).getCommandSpec().positionalParameters();
        assertEquals(1, positional.size());
        assertEquals("NAME", positional.get(0).paramLabel());
    }

    @Test
    void anUnknownOptionIsNamed() {
        var r = CliRunner.run("secrets", "set", "API_KEY", "--value", "--url", closed);
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: ERR_OPTION_INVALID: unknown option --value"), r::toString);
    }

    @Test
    void stdinLosesExactlyOneTrailingNewline() {
        assertEquals("s3cret", value("s3cret\n", "API_KEY"));
        assertEquals("s3cret", value("s3cret\r\n", "API_KEY"));
        assertEquals("s3cret\n", value("s3cret\n\n", "API_KEY"));
        assertEquals("  spaced  ", value("  spaced  ", "API_KEY"));
        assertEquals("multi\nline", value("multi\nline\n", "API_KEY"));
    }

    @Test
    void theValueMayComeFromTheEnvironmentOrAFile() throws Exception {
        assertEquals("from-env", value("ignored", "API_KEY", "--from-env", "MY_TOKEN"));
        Path f = Files.writeString(tmp.resolve("token"), "from-file\n");
        assertEquals("from-file\n", value("ignored", "API_KEY", "--from-file", f.toString()), "a file is taken as is");
    }

    @Test
    void aMissingSourceIsAnError() {
        CliError env = assertThrows(CliError.class, () -> value("", "API_KEY", "--from-env", "NOT_SET"));
        assertEquals("ERR_SECRET_INVALID", env.code());
        assertTrue(env.getMessage().contains("NOT_SET: that environment variable is not set"));
        CliError file = assertThrows(CliError.class, () -> value("", "API_KEY", "--from-file", tmp.resolve("nope").toString()));
        assertTrue(file.getMessage().contains("no such file"));
        CliError both = assertThrows(CliError.class, () -> value("", "API_KEY", "--from-env", "MY_TOKEN", "--from-file", "x"));
        assertTrue(both.getMessage().contains("mutually exclusive"));
    }

    @Test
    void theValueIsOneByteTo64KiB() {
        assertEquals("ERR_SECRET_INVALID", assertThrows(CliError.class, () -> value("\n", "API_KEY")).code());
        assertEquals("ERR_SECRET_INVALID", assertThrows(CliError.class, () -> value("", "API_KEY")).code());
        assertEquals(65536, value("x".repeat(65536) + "\n", "API_KEY").length());
        CliError big = assertThrows(CliError.class, () -> value("x".repeat(65537), "API_KEY"));
        assertTrue(big.getMessage().contains("1 byte to 64 KiB"), big.getMessage());
    }

    @Test
    void binaryIsNotAValue() {
        SecretsSetCommand cmd = parsed("", "API_KEY");
        cmd.stdin = new ByteArrayInputStream(new byte[] {(byte) 0xff, (byte) 0xfe});
        CliError e = assertThrows(CliError.class, cmd::value);
        assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"api_key", "1KEY", "_KEY", "KEY-1", "A23456789012345678901234567890123456789012345678901234567890123X5"})
    void namesFollowTheGatewaysRule(String name) {
        var r = CliRunner.run("secrets", "set", name, "--url", closed);
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: ERR_SECRET_INVALID: secret name '" + name + "'"), r::toString);
        assertTrue(r.err().strip().endsWith("check your inputs"), r::toString);
    }

    @Test
    void removingChecksTheNameToo() {
        var r = CliRunner.run("secrets", "rm", "lower", "--url", closed);
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: ERR_SECRET_INVALID"), r::toString);
    }
}
