package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.ProcessorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hangar processors list}: every registered processor version. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List registered processor versions.")
public final class ProcessorsListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Option(names = "--json", description = "Print the JSON array of processor specs instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        List<ProcessorSpec> specs;
        try (GatewayClient client = gateway.client()) {
            specs = client.listProcessors();
        }
        Output out = Output.of(spec);
        if (json) {
            out.json(specs);
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        for (ProcessorSpec s : specs) {
            var platforms = new TreeSet<>(s.digests().keySet());
            rows.add(List.of(s.ref().toString(), s.image(), platforms.isEmpty() ? "-" : String.join(",", platforms),
                    s.description() == null ? "" : s.description()));
        }
        out.table(List.of("REF", "IMAGE", "PINNED", "DESCRIPTION"), rows);
        return 0;
    }
}
