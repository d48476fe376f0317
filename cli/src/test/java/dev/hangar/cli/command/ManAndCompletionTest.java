package dev.hangar.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.cli.CliRunner;
import dev.hangar.cli.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Man pages and completion scripts come from the command tree, install where the tools look, and are valid for them. */
class ManAndCompletionTest {

    @Test
    void theManPageOfACommandListsEveryOptionItsHelpDoes() throws Exception {
        var r = CliRunner.run("man", "run");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().startsWith(".TH \"HANGAR-RUN\" 1 "), r.out());
        CommandSpec run = Main.commandLine().getSubcommands().get("run").getCommandSpec();
        for (var option : run.options()) {
            if (option.hidden()) {
                continue; // an older spelling (--url, --token): it works, the page names the current one
            }
            String name = option.longestName().replace("-", "\\-");
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(".B ") && l.contains(name)), option.longestName());
        }
        assertNoGroffWarnings(r.out());
    }

    @Test
    void installWritesAPagePerCommand(@TempDir Path dir) throws Exception {
        var r = CliRunner.run("man", "--install", "--dir", dir.toString());
        assertEquals(0, r.exit(), r::toString);
        var expected = new ArrayList<String>();
        collect(Main.commandLine().getCommandSpec(), expected);
        try (var files = Files.list(dir)) {
            assertEquals(expected.stream().sorted().toList(), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        String watch = Files.readString(dir.resolve("hangar-runs-watch.1"));
        assertTrue(watch.contains("EXECUTION_ID"), watch);
        assertNoGroffWarnings(watch);
    }

    @Test
    void anUnknownCommandIsNamedWithTheOnesThatExist() {
        var r = CliRunner.run("man", "runs", "nope");
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains("no command 'runs nope'") && r.err().contains("watch"), r.err());
    }

    @Test
    void bashAndZshScriptsAreValidAndInstall(@TempDir Path dir) throws Exception {
        var bash = CliRunner.run("completion", "--install", "--dir", dir.toString());
        assertEquals(0, bash.exit(), bash::toString);
        Path script = dir.resolve("hangar");
        assertTrue(Files.readString(script).contains("complete -F"), "a bash completion function is registered");
        var check = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
        assertTrue(check.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8));

        var zsh = CliRunner.run("completion", "--shell", "zsh");
        assertEquals(0, zsh.exit(), zsh::toString);
        assertTrue(zsh.out().startsWith("#compdef hangar\nautoload -U +X bashcompinit && bashcompinit\n"), zsh.out());
        var bad = CliRunner.run("completion", "--shell", "fish");
        assertEquals(1, bad.exit(), bad::toString);
        assertTrue(bad.err().contains("bash, zsh"), bad.err());
    }

    private static void collect(CommandSpec spec, List<String> pages) {
        pages.add(spec.qualifiedName("-") + ".1");
        spec.subcommands().forEach((name, sub) -> {
            if (name.equals(sub.getCommandSpec().name())) {
                collect(sub.getCommandSpec(), pages);
            }
        });
    }

    /** Renders with groff, as man(1) does, and fails on any warning (an unknown request, a bad escape). */
    private static void assertNoGroffWarnings(String page) throws IOException, InterruptedException {
        var groff = new ProcessBuilder("groff", "-man", "-Tutf8", "-ww", "-z").redirectErrorStream(true).start();
        groff.getOutputStream().write(page.getBytes(StandardCharsets.UTF_8));
        groff.getOutputStream().close();
        String warnings = new String(groff.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(groff.waitFor(10, TimeUnit.SECONDS));
        assertEquals("", warnings.strip());
        assertEquals(0, groff.exitValue());
    }
}
