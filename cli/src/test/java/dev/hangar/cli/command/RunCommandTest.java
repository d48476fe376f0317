package dev.hangar.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.hangar.cli.CliRunner;
import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.RunRequest;
import dev.hangar.contracts.RunStatus;
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
        assertEquals(Adapter.LOCAL, r.adapter());
        assertEquals(Mode.MOCK, r.mode());
        assertNull(r.platform());
        assertNull(r.writePrefix());
        assertEquals("{}", r.inputs().toString());
        assertNull(r.adapterOpts());
        assertFalse(r.build());
    }

    @Test
    void everyOptionReachesTheRequest() {
        RunRequest r = request("--ref", "examples/echo@1", "--adapter", "local", "--mode", "real", "--platform", "arm64",
                "--write-prefix", "/artifacts/tmp/{execution_id}", "--inputs-json", "{\"a\":1}",
                "--adapter-opts-json", "{\"gpus\":1,\"keep_container\":true}", "--build", "--plan", "team-a.gpu",
                "--timeout", "90", "--idempotency-key", "nightly:2026-11-22");
        assertEquals(Adapter.LOCAL, r.adapter());
        assertEquals(Mode.REAL, r.mode());
        assertEquals(Platform.ARM64, r.platform());
        assertEquals("/artifacts/tmp/{execution_id}/", r.writePrefix());
        assertEquals(1, r.inputs().path("a").asInt());
        assertEquals(1, r.adapterOpts().path("gpus").asInt());
        assertTrue(r.build());
        assertEquals("team-a.gpu", r.plan());
        assertEquals(90, r.timeoutSeconds());
        assertEquals("nightly:2026-11-22", r.idempotencyKey());
        assertNull(r.attachments(), "attachments are added once uploaded");
    }

    @Test
    void aBadRefFailsBeforeAnyNetworkCall() {
        var r = CliRunner.run("run", "--url", closed, "--ref", "Examples/echo");
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains("error: ERR_REF_INVALID: "), r::toString);
        assertTrue(r.err().strip().endsWith("check your inputs"), r::toString);
        assertFalse(r.err().contains("ERR_UNAVAILABLE"), r::toString);
        assertEquals("", r.out());
    }

    @Test
    void aBadRefWithJsonPrintsAnErrorEnvelope() throws Exception {
        var r = CliRunner.run("run", "--url", closed, "--ref", "nope", "--json");
        assertEquals(1, r.exit());
        Envelope env = oneEnvelope(r.out());
        assertEquals(RunStatus.ERROR, env.status());
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
    void tinkexsSamplingSpellingPointsToHangarSample() {
        var r = CliRunner.run("run", "--base-model", "hangar/tiny-lm", "--prompt", "hi");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("ERR_OPTION_INVALID"), r::toString);
        assertTrue(r.err().contains("hangar sample --base-model ID --prompt TEXT"), r::toString);
        var processor = CliRunner.run("run", "--ref", "examples/echo@1", "--bogus");
        assertTrue(!processor.err().contains("hangar sample"), "other usage errors of run say nothing about sampling: " + processor);
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
        assertEquals(RunStatus.ERROR, env.status());
        assertNull(env.executionId());
        assertEquals(ErrorCode.ERR_UNAVAILABLE, env.error().code());
        assertTrue(env.error().message().contains(closed));
    }

    /** A run command parsed from args, working in {@code cwd}, with nothing on stdin. */
    static RunCommand parsed(Path cwd, String... args) {
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs(args);
        run.stdin = java.io.InputStream.nullInputStream();
        run.cwd = cwd;
        return run;
    }

    @Test
    void buildWithTheRemoteAdapterIsIgnoredWithAWarning() {
        RunCommand.Draft d = parsed(tmp, "--ref", "examples/echo@1", "--adapter", "remote", "--build").draft();
        assertEquals(Adapter.REMOTE, d.request().adapter());
        assertFalse(d.request().build());
        assertEquals(java.util.List.of(RunCommand.BUILD_IGNORED), d.warnings());

        var r = CliRunner.run("run", "--url", closed, "--ref", "examples/echo@1", "--adapter", "remote", "--build");
        assertTrue(r.err().startsWith(RunCommand.BUILD_IGNORED + "\n"), r::toString);
    }

    @Test
    void aRemoteRunNamesItsPoolInTheAdapterOptionsAndABadPoolNeverLeavesTheCli() {
        RunCommand.Draft d = parsed(tmp, "--ref", "examples/echo@1", "--adapter", "remote", "--adapter-opts-json",
                "{\"pool\":\"gpu-a\",\"gpus\":1,\"capacity_wait_seconds\":60}").draft();
        assertEquals(Adapter.REMOTE, d.request().adapter());
        assertEquals("gpu-a", d.request().adapterOpts().path("pool").asText());
        assertTrue(d.warnings().isEmpty(), d.warnings()::toString);

        var r = CliRunner.run("run", "--url", closed, "--ref", "examples/echo@1", "--adapter", "remote", "--adapter-opts-json",
                "{\"pool\":\"GPU A\"}");
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains("ERR_OPTION_INVALID") && r.err().contains("not a valid pool name"), r::toString);
    }

    @Test
    void theDeprecatedJsonstrStillWorksAndWarns() {
        RunCommand.Draft d = parsed(tmp, "--ref", "examples/echo@1", "--inputs-jsonstr", "{\"a\":2}").draft();
        assertEquals(2, d.request().inputs().path("a").asInt());
        assertEquals(java.util.List.of("warning: --inputs-jsonstr is deprecated; use --inputs-json"), d.warnings());

        var r = CliRunner.run("run", "--url", closed, "--ref", "examples/echo@1", "--inputs-jsonstr", "{}");
        assertTrue(r.err().startsWith("warning: --inputs-jsonstr is deprecated; use --inputs-json\n"), r::toString);
        assertTrue(r.err().contains("ERR_UNAVAILABLE"), "then it goes on to submit: " + r);
        assertTrue(parsed(tmp, "--ref", "a/b@1", "--inputs-json", "{}").draft().warnings().isEmpty());
    }

    @Test
    void jsonstrIsInTheExclusiveInputsGroup() {
        for (String[] other : new String[][] {{"--inputs-json", "{}"}, {"--inputs-file", "x.json"}, {"--inputs", "-"}}) {
            var r = CliRunner.run("run", "--url", closed, "--ref", "examples/echo@1", "--inputs-jsonstr", "{}", other[0], other[1]);
            assertEquals(1, r.exit(), r::toString);
            assertTrue(r.err().contains("mutually exclusive"), r::toString);
            assertFalse(r.err().contains("ERR_UNAVAILABLE"), r::toString);
        }
    }

    @Test
    void theRefDefaultsToTheOneInHangarYaml() throws Exception {
        Files.copy(Path.of(PushCommandTest.dir("echo"), "hangar.yaml"), tmp.resolve("hangar.yaml"));
        assertEquals("examples/echo@1", parsed(tmp, "--inputs-json", "{}").request().ref());
        assertEquals("other/x@3", parsed(tmp, "--ref", "other/x@3").request().ref(), "--ref wins");
    }

    @Test
    void withoutRefOrHangarYamlTheRefIsMissing() {
        var r = CliRunner.run(cli -> RunCommandAccess.cwd(cli, tmp), "run", "--url", closed);
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().startsWith("error: ERR_OPTION_INVALID: Missing required option: '--ref=NS/NAME@VER'"), r::toString);
        assertTrue(r.err().contains("there is no hangar.yaml in " + tmp.toAbsolutePath()), r::toString);
        assertFalse(r.err().contains("ERR_UNAVAILABLE"), r::toString);
    }

    @Test
    void aBadRefInHangarYamlNamesTheFile() throws Exception {
        Files.copy(Path.of(PushCommandTest.dir("bad-ref"), "hangar.yaml"), tmp.resolve("hangar.yaml"));
        var r = CliRunner.run(cli -> RunCommandAccess.cwd(cli, tmp), "run", "--url", closed);
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().startsWith("error: ERR_REF_INVALID: " + tmp.resolve("hangar.yaml")), r::toString);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"gpu\":\"a10\"}          | unknown key 'gpu' (allowed: cpu, memory_mb, gpus, timeout_seconds, keep_container, pool, capacity_wait_seconds)",
        "{\"cpu\":0}                | adapter_opts.cpu must be in (0, 64]",
        "{\"memory_mb\":8}          | adapter_opts.memory_mb must be between 16 and 1048576",
        "{\"timeout_seconds\":0}    | adapter_opts.timeout_seconds must be between 1 and 86400",
        "{\"gpus\":\"two\"}          | adapter_opts"
    })
    void adapterOptionsAreValidatedLikeTheExecutorDoes(String json, String message) {
        var r = CliRunner.run("run", "--url", closed, "--ref", "examples/echo@1", "--adapter-opts-json", json);
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().startsWith("error: ERR_OPTION_INVALID: --adapter-opts-json: "), r::toString);
        assertTrue(r.err().contains(message), r::toString);
        assertFalse(r.err().contains("ERR_UNAVAILABLE"), r::toString);
    }

    @Test
    void adapterOptionsTheExecutorAcceptsAreSentAsGiven() {
        RunRequest r = request("--ref", "a/b@1", "--adapter-opts-json", "{\"cpu\":2.5,\"memory_mb\":1024,\"timeout_seconds\":60}");
        assertEquals(2.5, r.adapterOpts().path("cpu").asDouble());
        assertEquals(1024, r.adapterOpts().path("memory_mb").asInt());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--plan|Team A|--plan 'Team A' must be",
        "--plan|" + "p123456789p123456789p123456789p123456789p123456789p123456789p1234|--plan",
        "--timeout|0|--timeout must be between 1 and 86400 seconds, got 0",
        "--timeout|86401|--timeout must be between 1 and 86400 seconds, got 86401",
        "--idempotency-key|a b|--idempotency-key must be 1 to 128",
        "--idempotency-key|é|--idempotency-key must be 1 to 128"
    })
    void planTimeoutAndIdempotencyKeyAreCheckedBeforeSubmitting(String option, String value, String message) {
        var r = CliRunner.run("run", "--url", closed, "--ref", "examples/echo@1", option, value);
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().startsWith("error: ERR_OPTION_INVALID: " + message), r::toString);
    }

    @Test
    void aNonIntegerTimeoutIsAUsageError() {
        var r = CliRunner.run("run", "--url", closed, "--ref", "examples/echo@1", "--timeout", "1.5");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("ERR_OPTION_INVALID"), r::toString);
    }

    @Test
    void saveDirAndSaveFirstAreMutuallyExclusive() {
        var r = CliRunner.run("run", "--url", closed, "--ref", "examples/echo@1", "--save-dir", "out", "--save-first", "a.json");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("mutually exclusive"), r::toString);
    }

    @Test
    void saveFirstMustNotBeAFolder() {
        var r = CliRunner.run("run", "--url", closed, "--ref", "examples/echo@1", "--save-first", tmp.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: ERR_OPTION_INVALID: --save-first " + tmp + " is a directory"), r::toString);
    }

    @Test
    void aMissingAttachmentFailsBeforeAnythingIsSent() {
        var r = CliRunner.run("run", "--url", closed, "--ref", "examples/echo@1", "--attach", "doc=" + tmp.resolve("nope.pdf"));
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().startsWith("error: ERR_ATTACHMENT_INVALID: --attach doc=" + tmp.resolve("nope.pdf")
                + ": no such file"), r::toString);
        assertFalse(r.err().contains("ERR_UNAVAILABLE"), r::toString);
    }

    @Test
    void attachmentsAndAssignmentsAreParsedIntoTheDraft() throws Exception {
        Files.writeString(tmp.resolve("a.txt"), "hello");
        RunCommand.Draft d = parsed(tmp, "--ref", "a/b@1", "--attach", "doc=a.txt", "-i", "n=3", "-i", "q=x=y").draft();
        assertEquals(java.util.Map.of("doc", tmp.resolve("a.txt")), d.files());
        assertEquals(java.util.List.of(new TypedInputs.Assignment("n", "3"), new TypedInputs.Assignment("q", "x=y")),
                d.assignments());
    }

    @Test
    void aMalformedAssignmentIsAnOptionError() {
        var r = CliRunner.run("run", "--url", closed, "--ref", "examples/echo@1", "-i", "steps");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: ERR_OPTION_INVALID: -i takes KEY=VALUE"), r::toString);
        assertFalse(r.err().contains("ERR_UNAVAILABLE"), r::toString);
    }
}
