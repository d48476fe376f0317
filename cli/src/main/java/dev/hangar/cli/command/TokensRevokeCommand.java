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

/** {@code hangar tokens revoke ID}: the token stops working on every gateway at once. */
@Command(name = "revoke", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Revoke an API token by its id (see `hangar tokens list`); every gateway refuses it from now on.")
public final class TokensRevokeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", paramLabel = "ID", description = "The token's id, e.g. tok_3f9a2c...")
    String id;

    @Override
    public Integer call() {
        try (GatewayClient client = gateway.client()) {
            client.revokeToken(id);
        }
        Output out = Output.of(spec);
        out.err().println("token " + id + " revoked");
        out.err().flush();
        return 0;
    }
}
