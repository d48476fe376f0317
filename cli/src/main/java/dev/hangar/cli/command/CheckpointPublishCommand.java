package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.Checkpoint;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar checkpoint publish PATH}. */
@Command(name = "publish", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Publish a checkpoint of yours: other owners may then read and sample it.")
public final class CheckpointPublishCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(paramLabel = "PATH", description = "hangar://<run_id>/<weights|sampler_weights>/<checkpoint_id>")
    String path;

    @Option(names = "--json", description = "Print the checkpoint as JSON.")
    boolean json;

    @Override
    public Integer call() {
        String checked = CheckpointCommand.path(path);
        Checkpoint c;
        try (GatewayClient client = gateway.client()) {
            c = client.publishCheckpoint(checked);
        }
        Output out = Output.of(spec);
        if (json) {
            out.json(c);
        } else {
            out.out().println("published " + c.path() + " (public: " + c.isPublic() + ")");
            out.out().flush();
        }
        return 0;
    }
}
