package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.CheckpointPath;
import picocli.CommandLine.Command;

/** {@code hangar checkpoint}: a group, Tinker's checkpoint commands on {@code hangar://<run_id>/<kind>/<id>} paths. */
@Command(name = "checkpoint", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Save, list, inspect, publish, expire, delete and download checkpoints.",
                "A checkpoint path is hangar://<run_id>/<weights|sampler_weights>/<checkpoint_id>."},
        subcommands = {CheckpointSaveCommand.class, CheckpointListCommand.class, CheckpointInfoCommand.class,
                CheckpointPublishCommand.class, CheckpointUnpublishCommand.class, CheckpointSetTtlCommand.class,
                CheckpointDeleteCommand.class, CheckpointDownloadCommand.class})
public final class CheckpointCommand {

    /** The path, checked by the one rule in contracts before anything is sent. */
    static String path(String path) {
        return CliError.check(() -> CheckpointPath.parse(path)).toString();
    }
}
