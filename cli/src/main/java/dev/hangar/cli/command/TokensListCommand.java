package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.ApiToken;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hangar tokens list}: one line per token (id, owner, name, scopes, created, last used); never a token. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List your API tokens: id, owner, scopes, created and last used, name (never the token itself).")
public final class TokensListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Option(names = "--all", description = "Every owner's tokens (admin only).")
    boolean all;

    @Option(names = "--json", description = "Print the JSON array.")
    boolean json;

    @Override
    public Integer call() {
        List<ApiToken.Info> tokens;
        try (GatewayClient client = gateway.client()) {
            tokens = client.listTokens(all);
        }
        Output out = Output.of(spec);
        if (json) {
            out.json(tokens);
            return 0;
        }
        for (ApiToken.Info t : tokens) {
            out.out().println(String.join("\t", t.id(), t.owner(), String.join(",", t.scopes().stream().map(ApiToken.Scope::wire).toList()),
                    String.valueOf(t.createdAt()), t.lastUsedAt() == null ? "never" : t.lastUsedAt().toString(), t.name()));
        }
        out.out().flush();
        return 0;
    }
}
