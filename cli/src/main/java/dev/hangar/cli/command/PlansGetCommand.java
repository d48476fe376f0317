package dev.hangar.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.EnvelopePrinter;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.ErrorCode;
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
        JsonNode plan;
        try (GatewayClient client = gateway.client()) {
            plan = client.getPlan(key);
        }
        print(plan, json, Output.of(spec));
        return 0;
    }

    /** The same rule the gateway applies, so a typo fails before a request. */
    static void checkKey(String key) {
        if (!RunCommand.PLAN_KEY.matcher(key).matches()) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "plan key '" + key + "' must be 1 to 64 of a-z, 0-9, '.', '_', '-'");
        }
    }

    static void print(JsonNode plan, boolean json, Output out) {
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
    static List<String> row(JsonNode p) {
        double limit = p.path("limit").asDouble();
        double spent = p.path("spent").asDouble();
        double reserved = p.path("reserved").asDouble();
        return List.of(p.path("key").asText(), EnvelopePrinter.amount(limit), EnvelopePrinter.amount(spent),
                EnvelopePrinter.amount(reserved), EnvelopePrinter.amount(Math.max(0, limit - spent - reserved)));
    }
}
