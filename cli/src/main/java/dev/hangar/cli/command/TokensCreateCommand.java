package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.ApiToken;
import dev.hangar.contracts.HangarException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar tokens create NAME --scope read,run}: prints the new token once, on stdout, alone on its line. */
@Command(name = "create", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Create an API token; the token is printed once on standard output (its id and scopes on stderr).",
                "You can grant only scopes your own token has. Example: hangar tokens create ci --scope read,run"})
public final class TokensCreateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", paramLabel = "NAME", description = "A name to recognise the token by (1-64 letters, digits, ' ', '.', '_', '-').")
    String name;

    @Option(names = "--scope", split = ",", paramLabel = "SCOPE", defaultValue = "read,run",
            description = "What the token may do: read (GETs, streams), run (runs, plans, secrets, push), admin "
                    + "(others' tokens, namespace grants, keep_container); comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> scopes;

    @Option(names = "--owner", paramLabel = "OWNER", description = "Create it for another owner (admin only).")
    String owner;

    @Option(names = "--json", description = "Print the whole answer as JSON (it holds the token).")
    boolean json;

    @Override
    public Integer call() {
        List<ApiToken.Scope> parsed;
        try {
            parsed = scopes.stream().map(String::strip).map(ApiToken.Scope::fromWire).toList();
        } catch (HangarException e) {
            throw CliError.from(e);
        }
        ApiToken.Created created;
        try (GatewayClient client = gateway.client()) {
            created = client.createToken(CliError.check(() -> new ApiToken.Create(name, parsed, owner).requireValid()));
        }
        Output out = Output.of(spec);
        if (json) {
            out.json(created);
            return 0;
        }
        out.err().println("token " + created.id() + " (" + created.name() + ") for " + created.owner() + ", scopes "
                + String.join(",", created.scopes().stream().map(ApiToken.Scope::wire).toList()) + "; it is shown only now:");
        out.err().flush();
        out.out().println(created.token());
        out.out().flush();
        return 0;
    }
}
