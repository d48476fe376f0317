package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.Checkpoint;
import picocli.CommandLine.Command;

/** {@code hangar checkpoint publish PATH}. */
@Command(name = "publish", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Publish a checkpoint of yours: other owners may then read and sample it.")
public final class CheckpointPublishCommand extends OneCheckpointCommand {
    @Override
    Checkpoint call(GatewayClient client, String checkedPath) {
        return client.publishCheckpoint(checkedPath);
    }

    @Override
    void print(Output out, Checkpoint c) {
        out.out().println("published " + c.path() + " (public: " + c.isPublic() + ")");
    }
}
