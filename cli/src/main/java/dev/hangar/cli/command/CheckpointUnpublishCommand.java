package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.Checkpoint;
import picocli.CommandLine.Command;

/** {@code hangar checkpoint unpublish PATH}. */
@Command(name = "unpublish", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Unpublish a checkpoint of yours: other owners can no longer read or sample it.")
public final class CheckpointUnpublishCommand extends OneCheckpointCommand {
    @Override
    Checkpoint call(GatewayClient client, String checkedPath) {
        return client.unpublishCheckpoint(checkedPath);
    }

    @Override
    void print(Output out, Checkpoint c) {
        out.out().println("unpublished " + c.path() + " (public: " + c.isPublic() + ")");
    }
}
