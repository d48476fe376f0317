package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.Checkpoint;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hangar checkpoint set-ttl PATH --ttl S | --remove}. */
@Command(name = "set-ttl", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Expire a checkpoint of yours S seconds from now (the service then deletes it, files included),",
                "or --remove its expiry."})
public final class CheckpointSetTtlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(paramLabel = "PATH", description = "hangar://<run_id>/<weights|sampler_weights>/<checkpoint_id>")
    String path;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    static final class Choice {
        @Option(names = "--ttl", paramLabel = "S", description = "Seconds from now, 1 or more.")
        Long ttl;

        @Option(names = "--remove", description = "Keep the checkpoint until it is deleted.")
        boolean remove;
    }

    @Option(names = "--json", description = "Print the checkpoint as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (choice.ttl != null && choice.ttl < 1) {
            throw new ParameterException(spec.commandLine(), "--ttl must be 1 or more seconds, got " + choice.ttl);
        }
        String checked = CheckpointCommand.path(path);
        Checkpoint c;
        try (GatewayClient client = gateway.client()) {
            c = client.setCheckpointTtl(checked, choice.remove ? null : choice.ttl);
        }
        Output out = Output.of(spec);
        if (json) {
            out.json(c);
        } else {
            out.out().println(c.path() + " expires " + (c.expiresAt() == null ? "never" : c.expiresAt().toString()));
            out.out().flush();
        }
        return 0;
    }
}
