package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import picocli.CommandLine.Command;

/** {@code hangar train-run}: a group; Tinker's loop run on the server, as one run. */
@Command(name = "train-run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Train a LoRA adapter on the server: the whole loop as one run of the base model's trainer.",
                "List and inspect training runs with `hangar runs list` / `hangar runs info`."},
        subcommands = {TrainRunCreateCommand.class})
public final class TrainRunCommand {
}
