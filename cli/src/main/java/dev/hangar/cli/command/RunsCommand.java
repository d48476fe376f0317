package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import picocli.CommandLine.Command;

/** {@code hangar runs}: a group; without a subcommand it is a usage error. */
@Command(name = "runs", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Get, list, inspect, watch or cancel runs (processor runs and training runs).",
        subcommands = {RunsGetCommand.class, RunsListCommand.class, RunsInfoCommand.class, RunsWatchCommand.class, RunsCancelCommand.class})
public final class RunsCommand {
}
