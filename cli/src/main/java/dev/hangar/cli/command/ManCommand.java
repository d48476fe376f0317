package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.ManPage;
import dev.hangar.contracts.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar man}: man pages generated from the command tree, printed or installed. */
@Command(name = "man", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Print the man page of hangar or of one command, or install them all.",
                "Generated from the same model as --help.",
                "Install: bin/hangar man --install; then: man hangar-run"})
public final class ManCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "COMMAND", description = "A command path, e.g. `runs watch`; none: hangar itself.")
    List<String> command = new ArrayList<>();

    @Option(names = "--install", description = "Write a page per command (hangar.1, hangar-run.1, ...) into the man directory.")
    boolean install;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Where --install writes (default: $XDG_DATA_HOME/man/man1, else ~/.local/share/man/man1, which man(1) searches).")
    Path dir;

    @Override
    public Integer call() throws IOException {
        var root = spec.root();
        String version = VersionProvider.version();
        if (!install) {
            spec.commandLine().getOut().print(ManPage.render(find(root), version, LocalDate.now()));
            spec.commandLine().getOut().flush();
            return 0;
        }
        Path target = dir != null ? dir : CompletionCommand.dataHome().resolve("man/man1");
        Files.createDirectories(target);
        var written = new ArrayList<Path>();
        write(root, version, target, written);
        spec.commandLine().getErr().println("wrote " + written.size() + " man pages to " + target);
        return 0;
    }

    private void write(CommandSpec command, String version, Path target, List<Path> written) throws IOException {
        Path page = target.resolve(ManPage.name(command) + ".1");
        Files.writeString(page, ManPage.render(command, version, LocalDate.now()), StandardCharsets.UTF_8);
        written.add(page);
        for (var entry : command.subcommands().entrySet()) {
            if (entry.getKey().equals(entry.getValue().getCommandSpec().name())) {
                write(entry.getValue().getCommandSpec(), version, target, written);
            }
        }
    }

    private CommandSpec find(CommandSpec root) {
        CommandSpec at = root;
        for (String name : command) {
            CommandLine sub = at.subcommands().get(name);
            if (sub == null) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, "no command '" + String.join(" ", command)
                        + "'; commands of " + at.qualifiedName() + ": " + String.join(", ", at.subcommands().keySet()));
            }
            at = sub.getCommandSpec();
        }
        return at;
    }
}
