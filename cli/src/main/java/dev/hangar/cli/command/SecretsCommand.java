package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import picocli.CommandLine.Command;

/** {@code hangar secrets}: a group; without a subcommand it is a usage error. */
@Command(name = "secrets", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Secrets that processors read in real mode (their spec lists the names).",
                "Values go in and never come out: the gateway lists names only."},
        subcommands = {SecretsSetCommand.class, SecretsListCommand.class, SecretsRmCommand.class})
public final class SecretsCommand {
}
