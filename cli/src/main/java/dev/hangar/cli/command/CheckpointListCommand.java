package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.Checkpoint;
import dev.hangar.contracts.CheckpointPath;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hangar checkpoint list}: the caller's checkpoints, newest first, with how many there are in all. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List your checkpoints, newest first, and how many there are in all.")
public final class CheckpointListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Option(names = "--run-id", paramLabel = "ID", description = "Only this training run's checkpoints.")
    String runId;

    @Option(names = "--limit", defaultValue = "20", paramLabel = "N", description = "How many to show; 0 = all (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--offset", defaultValue = "0", paramLabel = "N", description = "Skip the first N (default: 0).")
    int offset;

    @Option(names = "--json", description = "Print the page {checkpoints, cursor: {total_count, offset, limit}} as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (limit < 0) {
            throw new ParameterException(spec.commandLine(), "--limit must be 0 (all) or more, got " + limit);
        }
        if (offset < 0) {
            throw new ParameterException(spec.commandLine(), "--offset must be 0 or more, got " + offset);
        }
        if (runId != null) {
            CliError.check("--run-id", "the run id", () -> CheckpointPath.requireRunId(runId));
        }
        Checkpoint.Page page;
        try (GatewayClient client = gateway.client()) {
            page = client.listCheckpoints(runId, limit, offset);
        }
        Output out = Output.of(spec);
        if (json) {
            out.json(page);
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        for (Checkpoint c : page.checkpoints()) {
            rows.add(List.of(c.path(), c.baseModel(), String.valueOf(c.lora().rank()), Output.size(c.sizeBytes()),
                    c.isPublic() ? "yes" : "no", String.valueOf(c.createdAt()), c.expiresAt() == null ? "-" : c.expiresAt().toString()));
        }
        out.table(List.of("PATH", "BASE MODEL", "RANK", "SIZE", "PUBLIC", "CREATED", "EXPIRES"), rows);
        out.out().printf("%d of %d checkpoint(s) shown%n", page.checkpoints().size(), page.cursor().totalCount());
        out.out().flush();
        return 0;
    }
}
