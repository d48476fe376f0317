package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.output.Output;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hangar secrets list}: the names of stored secrets, never their values. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List the names of stored secrets, one per line (values are never shown).")
public final class SecretsListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Option(names = "--json", description = "Print the JSON array of names.")
    boolean json;

    @Override
    public Integer call() {
        List<String> names;
        try (GatewayClient client = gateway.client()) {
            names = client.listSecrets();
        }
        Output out = Output.of(spec);
        if (json) {
            out.json(names);
            return 0;
        }
        if (names.isEmpty()) {
            out.err().println("no secrets set");
            out.err().flush();
            return 0;
        }
        names.forEach(out.out()::println);
        out.out().flush();
        return 0;
    }
}
