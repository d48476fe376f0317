package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.EnvelopePrinter;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.Plan;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar plans get KEY}: one plan's limit and what is spent and reserved. */
@Command(name = "get", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Show a budget plan: its limit, the credits spent, those reserved by runs still going, and what remains.")
public final class PlansGetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(paramLabel = "KEY", description = "The plan's key, e.g. team-a.")
    String key;

    @Option(names = "--json", description = "Print the plan {\"key\",\"limit\",\"spent\",\"reserved\"} as JSON.")
    boolean json;

    @Override
    public Integer call() {
        checkKey(key);
        Plan plan;
        try (GatewayClient client = gateway.client()) {
            plan = client.getPlan(key);
        }
        print(plan, json, Output.of(spec));
        return 0;
    }

    /** The contract's rule, as the gateway applies it, so a typo fails before a request. */
    static void checkKey(String key) {
        CliError.check("plan key", "plan", () -> Plan.requireKey(key));
    }

    static void print(Plan plan, boolean json, Output out) {
        if (json) {
            out.json(plan);
            return;
        }
        PrintWriter w = out.out();
        List<String> row = row(plan);
        String[] names = {"plan", "limit", "spent", "reserved", "remaining"};
        for (int i = 0; i < names.length; i++) {
            w.println(String.format("%-10s %s", names[i] + ":", row.get(i) + (i == 0 ? "" : " credits")));
        }
        w.flush();
    }

    /** key, then limit, spent, reserved and remaining (never below 0) in credits. */
    static List<String> row(Plan p) {
        return List.of(p.key(), EnvelopePrinter.amount(p.limit()), EnvelopePrinter.amount(p.spent()),
                EnvelopePrinter.amount(p.reserved()), EnvelopePrinter.amount(p.remaining()));
    }
}
