package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.output.Output;
import dev.hangar.cli.output.QueueText;
import dev.hangar.contracts.RunSummary;
import dev.hangar.contracts.TrainingRun;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hangar runs list}: recent runs, newest first, and the training runs among them beside. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List recent runs, newest first: processor runs, then training runs.")
public final class RunsListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Option(names = "--limit", defaultValue = "20", paramLabel = "N",
            description = "How many runs to show, 1 to 1000 (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print the JSON array of run summaries (with --training: of training runs) instead of tables.")
    boolean json;

    @Option(names = "--training", description = "Only training runs (owner, base model, LoRA rank, last checkpoint, status).")
    boolean training;

    @Override
    public Integer call() {
        if (limit < 1 || limit > 1000) {
            throw new ParameterException(spec.commandLine(), "--limit must be between 1 and 1000, got " + limit);
        }
        List<RunSummary> runs;
        List<TrainingRun> trainingRuns;
        try (GatewayClient client = gateway.client()) {
            runs = training ? List.of() : client.listRuns(limit);
            trainingRuns = json && !training ? List.of() : client.listTrainingRuns(limit);
        }
        Output out = Output.of(spec);
        if (json) {
            out.json(training ? trainingRuns : runs);
            return 0;
        }
        if (training) {
            trainingTable(out, trainingRuns);
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        for (RunSummary r : runs) {
            rows.add(List.of(r.executionId(), r.ref().toString(), QueueText.status(r), r.adapter().wire(), r.mode().wire(),
                    r.createdAt().toString()));
        }
        out.table(List.of("EXECUTION ID", "REF", "STATUS", "ADAPTER", "MODE", "CREATED"), rows);
        if (!trainingRuns.isEmpty()) {
            out.out().println();
            out.out().println("Training runs:");
            trainingTable(out, trainingRuns);
        }
        return 0;
    }

    static void trainingTable(Output out, List<TrainingRun> runs) {
        List<List<String>> rows = new ArrayList<>();
        for (TrainingRun t : runs) {
            rows.add(List.of(t.runId(), t.owner(), t.baseModel(), String.valueOf(t.lora().rank()), String.valueOf(t.steps()),
                    t.status().wire(), t.lastCheckpoint() == null ? "-" : t.lastCheckpoint(), String.valueOf(t.createdAt())));
        }
        out.table(List.of("RUN ID", "OWNER", "BASE MODEL", "RANK", "STEPS", "STATUS", "LAST CHECKPOINT", "CREATED"), rows);
    }
}
