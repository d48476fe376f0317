package dev.hangar.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.hangar.cli.CliRunner;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class RunCommandTest {
    @TempDir
    Path tmp;

    final String closed = CliRunner.closedUrl();

    static RunRequest request(String... args) {
        RunCommand run = new RunCommand();
        new CommandLine(run).setCaseInsensitiveEnumValuesAllowed(false).parseArgs(args);
        run.stdin = java.io.InputStream.nullInputStream();
        return run.request();
    }

    /** What a script would do with stdout: it must be exactly one JSON document, readable as an Envelope. */
    static Envelope oneEnvelope(String stdout) throws Exception {
        Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(stdout);
        return Json.read(stdout, Envelope.class);
    }

    @Test
    void defaultsAreLocalMockAndEmptyInputs() {
        RunRequest r = request("--ref", "examples/echo@1");
        assertEquals("examples/echo@1", r.ref());
        assertEquals("local", r.adapter());
        assertEquals("mock", r.mode());
        assertNull(r.platform());
        assertNull(r.writePrefix());
        assertEquals("{}", r.inputs().toString());
        assertNull(r.adapterOpts());
        assertFalse(r.build());
    }

    @Test
    void everyOptionReachesTheRequest() {
        RunRequest r = request("--ref", "examples/echo@1", "--adapter", "remote", "--mode", "real", "--platform", "arm64",
                "--write-prefix", "/artifacts/tmp/{execution_id}", "--inputs-json", "{\"a\":1}",
                "--adapter-opts-json", "{\"gpu\":\"a10\"}", "--build");
        assertEquals("remote", r.adapter());
        assertEquals("real", r.mode());
        assertEquals("arm64", r.platform());
        assertEquals("/artifacts/tmp/{execution_id}/", r.writePrefix());
        assertEquals(1, r.inputs().path("a").asInt());
        assertEquals("a10", r.adapterOpts().path("gpu").asText());
        assertTrue(r.build());
    }

    @Test
    void aBadRefFailsBeforeAnyNetworkCall() {
        var r = CliRunner.run("run", "--url", closed, "--ref", "Examples/echo");
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains("error: ERR_REF_INVALID: "), r::toString);
        assertTrue(r.err().contains("fix the input"), r::toString);
        assertFalse(r.err().contains("ERR_UNAVAILABLE"), r::toString);
        assertEquals("", r.out());
    }

    @Test
    void aBadRefWithJsonPrintsAnErrorEnvelope() throws Exception {
        var r = CliRunner.run("run", "--url", closed, "--ref", "nope", "--json");
        assertEquals(1, r.exit());
        Envelope env = oneEnvelope(r.out());
        assertEquals("error", env.status());
        assertNull(env.executionId());
        assertEquals(ErrorCode.ERR_REF_INVALID, env.error().code());
        assertTrue(r.out().contains("\"execution_id\" : null"), r.out());
    }

    @ParameterizedTest
    @CsvSource({
        "/artifacts/outputs/x/, ERR_WRITE_PREFIX_NO_EXECUTION_ID",
        "/tmp/{execution_id}/, ERR_WRITE_PREFIX_ROOT",
        "/artifacts/../{execution_id}/, ERR_WRITE_PREFIX_TRAVERSAL",
        "/artifacts/a%2e/{execution_id}/, ERR_WRITE_PREFIX_ENCODED",
        "/artifacts/{execution_id}/outputs, ERR_WRITE_PREFIX_OUTPUTS_SUFFIX"
    })
    void aBadWritePrefixIsRefusedClientSide(String prefix, String code) {
        var r = CliRunner.run("run", "--url", closed, "--ref", "examples/echo@1", "--write-prefix", prefix);
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().startsWith("error: " + code + ": "), r::toString);
        assertFalse(r.err().contains("ERR_UNAVAILABLE"));
    }

    @Test
    void malformedInputsFileNamesTheSourceAndPosition() throws Exception {
        Path f = Files.writeString(tmp.resolve("y.json"), "{\n  \"a\": [1, 2\n}\n");
        var r = CliRunner.run("run", "--url", closed, "--ref", "examples/echo@1", "--inputs-file", f.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--inputs-file " + f + " at line 3, column 1"), r::toString);
    }

    @Test
    void twoInputSourcesAreAUsageError() {
        var r = CliRunner.run("run", "--ref", "examples/echo@1", "--inputs-json", "{}", "--inputs", "-");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("ERR_OPTION_INVALID"), r::toString);
        assertTrue(r.err().contains("mutually exclusive"), r::toString);
    }

    @Test
    void anUnknownAdapterIsAUsageError() {
        var r = CliRunner.run("run", "--ref", "examples/echo@1", "--adapter", "modal");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("local, remote"), r::toString);
    }

    @Test
    void adapterOptsMustBeAnObject() {
        var r = CliRunner.run("run", "--url", closed, "--ref", "examples/echo@1", "--adapter-opts-json", "3");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("error: ERR_OPTION_INVALID: --adapter-opts-json must be a JSON object"), r::toString);
    }

    @Test
    void anUnreachableGatewayIsUnavailable() {
        var r = CliRunner.run("run", "--url", closed, "--ref", "examples/echo@1");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: ERR_UNAVAILABLE: cannot reach the gateway at " + closed), r::toString);
        assertTrue(r.err().contains("bin/stack up"), r::toString);
        assertTrue(r.err().contains("retry"), r::toString);
        assertEquals("", r.out());
    }

    @Test
    void anUnreachableGatewayWithJsonPrintsOneErrorEnvelope() throws Exception {
        var r = CliRunner.run("run", "--url", closed, "--ref", "examples/echo@1", "--json");
        assertEquals(1, r.exit());
        Envelope env = oneEnvelope(r.out());
        assertEquals("error", env.status());
        assertNull(env.executionId());
        assertEquals(ErrorCode.ERR_UNAVAILABLE, env.error().code());
        assertTrue(env.error().message().contains(closed));
    }
}
