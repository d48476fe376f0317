package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.ErrorCode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar plans set KEY --limit N}: create a plan or change its limit. */
@Command(name = "set", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Create a budget plan, or change its limit.",
                "Runs already going keep their reservation; a limit below what is spent stops new runs (ERR_BUDGET_EXCEEDED)."})
public final class PlansSetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(paramLabel = "KEY", description = "The plan's key: 1 to 64 of a-z, 0-9, '.', '_', '-'.")
    String key;

    @Option(names = "--limit", required = true, paramLabel = "CREDITS",
            description = "The most the plan's runs may spend, in credits (0 or more; decimals allowed).")
    double limit;

    @Option(names = "--json", description = "Print the stored plan as JSON.")
    boolean json;

    @Override
    public Integer call() {
        PlansGetCommand.checkKey(key);
        if (!(limit >= 0) || Double.isInfinite(limit)) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--limit must be a number of credits, 0 or more; got " + limit);
        }
        try (GatewayClient client = gateway.client()) {
            PlansGetCommand.print(client.putPlan(key, limit), json, Output.of(spec));
        }
        return 0;
    }
}
