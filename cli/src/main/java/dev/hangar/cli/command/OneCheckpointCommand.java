package dev.hangar.cli.command;

import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.Checkpoint;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * A checkpoint command on one {@code PATH} that answers the checkpoint (info, publish,
 * unpublish): the path is checked before any call, the answer printed as text or {@code --json}.
 */
abstract class OneCheckpointCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(paramLabel = "PATH", description = "hangar://<run_id>/<weights|sampler_weights>/<checkpoint_id>")
    String path;

    @Option(names = "--json", description = "Print the checkpoint as JSON.")
    boolean json;

    /** The call this command makes for the checked path. */
    abstract Checkpoint call(GatewayClient client, String checkedPath);

    /** The text form of the answer. */
    abstract void print(Output out, Checkpoint checkpoint);

    @Override
    public final Integer call() {
        String checked = CheckpointCommand.path(path);
        Checkpoint c;
        try (GatewayClient client = gateway.client()) {
            c = call(client, checked);
        }
        Output out = Output.of(spec);
        if (json) {
            out.json(c);
        } else {
            print(out, c);
            out.out().flush();
        }
        return 0;
    }
}
