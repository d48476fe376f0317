package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.output.Output;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar secrets rm NAME}: delete a secret. */
@Command(name = "rm", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Delete a secret. Runs that need it then fail with ERR_MISSING_SECRET.",
                "Exit status 1 if there is no such secret."})
public final class SecretsRmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(paramLabel = "NAME", description = "The secret's name.")
    String name;

    @Override
    public Integer call() {
        SecretsSetCommand.checkName(name);
        try (GatewayClient client = gateway.client()) {
            client.deleteSecret(name);
        }
        Output out = Output.of(spec);
        out.out().println("secret " + name + " removed");
        out.out().flush();
        return 0;
    }
}
