package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.Plan;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hangar plans list}: every plan with its spending. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List budget plans: limit, spent, reserved and remaining credits.")
public final class PlansListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Option(names = "--json", description = "Print the JSON array of plans instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        List<Plan> plans;
        try (GatewayClient client = gateway.client()) {
            plans = client.listPlans();
        }
        Output out = Output.of(spec);
        if (json) {
            out.json(plans);
            return 0;
        }
        List<List<String>> rows = plans.stream().map(PlansGetCommand::row).toList();
        out.table(List.of("KEY", "LIMIT", "SPENT", "RESERVED", "REMAINING"), rows);
        return 0;
    }
}
