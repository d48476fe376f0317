package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hangar completion}: the completion script picocli generates from the command tree, for
 * bash, and for zsh through its bash-completion compatibility layer (as picocli documents).
 */
@Command(name = "completion", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Print (or install) the bash or zsh completion script for hangar.",
                "picocli generates it from the commands and options.",
                "Use: source <(bin/hangar completion), or install it once: bin/hangar completion --install"})
public final class CompletionCommand implements Callable<Integer> {
    /** The shells a script is made for. */
    enum Shell { bash, zsh }

    @Spec
    CommandSpec spec;

    @Option(names = "--shell", paramLabel = "SHELL", defaultValue = "bash",
            description = "bash or zsh (default: ${DEFAULT-VALUE}).")
    Shell shell;

    @Option(names = "--install", description = {"Write the script where the shell loads it by itself:",
            "bash: $XDG_DATA_HOME/bash-completion/completions/hangar (bash-completion's own folder);",
            "zsh: ~/.zfunc/_hangar (add ~/.zfunc to fpath before compinit in ~/.zshrc)."})
    boolean install;

    @Option(names = "--dir", paramLabel = "DIR", description = "With --install: write into DIR instead.")
    Path dir;

    @Override
    public Integer call() throws IOException {
        var root = spec.root();
        String bash = AutoComplete.bash(root.name(), root.commandLine());
        String script = shell == Shell.bash ? bash
                : "#compdef " + root.name() + "\nautoload -U +X bashcompinit && bashcompinit\n" + bash;
        if (!install) {
            spec.commandLine().getOut().print(script);
            spec.commandLine().getOut().flush();
            return 0;
        }
        String file = shell == Shell.bash ? root.name() : "_" + root.name();
        Path target = dir != null ? dir.resolve(file) : shell == Shell.bash
                ? dataHome().resolve("bash-completion/completions").resolve(file)
                : Path.of(System.getProperty("user.home"), ".zfunc", file);
        Files.createDirectories(target.getParent());
        Files.writeString(target, script, StandardCharsets.UTF_8);
        spec.commandLine().getErr().println("wrote " + target + (shell == Shell.zsh
                ? "; in ~/.zshrc: fpath=(~/.zfunc $fpath); autoload -Uz compinit && compinit" : "; open a new shell"));
        return 0;
    }

    /** {@code $XDG_DATA_HOME}, else {@code ~/.local/share}. */
    static Path dataHome() {
        String xdg = System.getenv("XDG_DATA_HOME");
        return xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
    }
}
