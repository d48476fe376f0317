package dev.hangar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

class HelpAndVersionTest {

    /** Every command path in the tree, e.g. [runs, watch]. */
    static Stream<List<String>> commands() {
        List<List<String>> paths = new ArrayList<>();
        collect(Main.commandLine(), new ArrayList<>(), paths);
        return paths.stream();
    }

    private static void collect(CommandLine cmd, List<String> prefix, List<List<String>> into) {
        into.add(List.copyOf(prefix));
        cmd.getSubcommands().forEach((name, sub) -> {
            List<String> p = new ArrayList<>(prefix);
            p.add(name);
            collect(sub, p, into);
        });
    }

    static String[] args(List<String> path, String... more) {
        List<String> all = new ArrayList<>(path);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void theTreeHasEveryCommand() {
        var names = commands().map(p -> String.join(" ", p)).toList();
        assertTrue(names.containsAll(List.of("run", "runs get", "runs list", "runs watch", "runs cancel", "push",
                "processors get", "processors list", "plans set", "plans get", "plans list", "secrets set", "secrets list",
                "secrets rm", "version", "completion")), names::toString);
    }

    @ParameterizedTest
    @MethodSource("commands")
    void helpExitsZero(List<String> path) {
        for (String flag : List.of("--help", "-h")) {
            var r = CliRunner.run(args(path, flag));
            assertEquals(0, r.exit(), flag + ": " + r);
            assertTrue(r.out().startsWith("Usage: hangar" + (path.isEmpty() ? "" : " " + String.join(" ", path))), r::toString);
            assertEquals("", r.err(), "help goes to stdout only");
        }
    }

    /** A command that talks to the gateway takes --base-url and --api-key after it too (and --timeout, but for run). */
    @ParameterizedTest
    @MethodSource("commands")
    void gatewayCommandsDocumentTheGlobalOptions(List<String> path) {
        CommandLine cmd = Main.commandLine();
        for (String name : path) {
            cmd = cmd.getSubcommands().get(name);
        }
        var spec = cmd.getCommandSpec();
        if (spec.findOption("--url") != null) {
            assertTrue(spec.findOption("--base-url") != null, "--url without --base-url");
            assertTrue(spec.findOption("--url").hidden(), "the old spelling stays out of the help");
        }
        if (spec.findOption("--token") != null) {
            assertTrue(spec.findOption("--api-key") != null && spec.findOption("--token").hidden());
        }
        if (spec.findOption("--api-key") != null && !path.equals(List.of("run"))) {
            assertEquals("MS", spec.findOption("--timeout").paramLabel(), String.join(" ", path) + " has --api-key but not --timeout");
        }
    }

    @Test
    void versionJsonIsTheVersionAndTheSevenCharacterCommit() throws Exception {
        var r = CliRunner.run("version", "--json");
        assertEquals(0, r.exit(), r::toString);
        var node = Json.MAPPER.readTree(r.out());
        assertEquals(List.of("version", "commit"), iterable(node.fieldNames()));
        assertEquals(VersionProvider.version(), node.get("version").asText());
        if (builtFromGit()) { // the commit of the build: HEAD's, or an earlier one's if HEAD moved since
            assertTrue(node.get("commit").asText().matches("[0-9a-f]{7}"), node::toString);
            assertEquals(VersionProvider.commit(), node.get("commit").asText());
        } else {
            assertTrue(node.get("commit").isNull(), node::toString);
        }
        assertTrue(r.err().isEmpty(), "no gateway is asked: " + r);
    }

    private static boolean builtFromGit() throws Exception {
        var git = new ProcessBuilder("git", "rev-parse", "--short=7", "HEAD").redirectErrorStream(true).start();
        git.getInputStream().readAllBytes();
        return git.waitFor() == 0;
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> all = new ArrayList<>();
        it.forEachRemaining(all::add);
        return all;
    }

    @ParameterizedTest
    @MethodSource("commands")
    void versionExitsZero(List<String> path) {
        var r = CliRunner.run(args(path, "--version"));
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().startsWith("hangar " + VersionProvider.version() + " (commit " + VersionProvider.commit()), r::toString);
        assertTrue(VersionProvider.version().matches("\\d+\\.\\d+\\.\\d+.*"), VersionProvider.version());
    }

    @Test
    void anUnknownOptionIsAUsageErrorWithExitOne() {
        var r = CliRunner.run("run", "--ref", "examples/echo@1", "--frobnicate");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: ERR_OPTION_INVALID: Unknown option: '--frobnicate'"), r::toString);
        assertTrue(r.err().contains("hangar run --help"), r::toString);
        assertTrue(r.err().strip().endsWith("check your inputs"), r::toString);
    }

    @Test
    void aMissingRequiredOptionIsAUsageError() {
        var r = CliRunner.run("run");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("Missing required option: '--ref=NS/NAME@VER'"), r::toString);
    }

    @Test
    void anUnknownSubcommandSuggestsTheNearestOne() {
        var r = CliRunner.run("processor", "list");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("Did you mean: hangar processors"), r::toString);
    }

    @Test
    void aBareGroupIsAUsageErrorAndShowsItsSubcommands() {
        var r = CliRunner.run("runs");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("Missing required subcommand"), r::toString);
        assertTrue(r.err().contains("watch"), r::toString);
        assertEquals(1, CliRunner.run().exit());
    }

    @Test
    void aUsageErrorWithJsonStillPrintsOneErrorEnvelope() {
        var r = CliRunner.run("runs", "list", "--json", "--limit", "many");
        assertEquals(1, r.exit());
        Envelope env = Json.read(r.out(), Envelope.class);
        assertEquals(ErrorCode.ERR_OPTION_INVALID, env.error().code());
    }

    @Test
    void completionIsGeneratedByPicocli() {
        var r = CliRunner.run("completion");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("complete -F"), r::toString);
        assertTrue(r.out().contains("--inputs-file"), "run's options are completed");
        assertTrue(r.out().contains("watch"), "sub-subcommands are completed");
    }

    @Test
    void versionCommandReportsAnUnreachableGatewayWithoutFailing() {
        String url = CliRunner.closedUrl();
        var r = CliRunner.run("version", "--url", url);
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("hangar " + VersionProvider.version()), r::toString);
        assertTrue(r.out().contains("gateway " + url + ": unreachable"), r::toString);
    }
}
