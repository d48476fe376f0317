package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.Checkpoint;
import picocli.CommandLine.Command;

/** {@code hangar checkpoint info PATH}. */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Show a checkpoint: base model, LoRA, rank, size, public, created, expires.")
public final class CheckpointInfoCommand extends OneCheckpointCommand {
    @Override
    Checkpoint call(GatewayClient client, String checkedPath) {
        return client.checkpointInfo(checkedPath);
    }

    @Override
    void print(Output out, Checkpoint c) {
        CheckpointPrinter.info(out, c);
    }
}
