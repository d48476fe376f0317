package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import picocli.CommandLine.Command;

/** {@code hangar plans}: a group; without a subcommand it is a usage error. */
@Command(name = "plans", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Budget plans: how many credits the runs charged to a plan may spend.",
                "A run is charged with --plan KEY; one credit is one CPU-hour (memory and GPUs cost extra)."},
        subcommands = {PlansSetCommand.class, PlansGetCommand.class, PlansListCommand.class})
public final class PlansCommand {
}
