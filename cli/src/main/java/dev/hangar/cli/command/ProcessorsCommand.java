package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import picocli.CommandLine.Command;

/** {@code hangar processors}: a group; without a subcommand it is a usage error. */
@Command(name = "processors", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Inspect registered processors.",
        subcommands = {ProcessorsGetCommand.class, ProcessorsListCommand.class})
public final class ProcessorsCommand {
}
