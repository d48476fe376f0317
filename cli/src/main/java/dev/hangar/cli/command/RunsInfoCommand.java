package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.RunDetail;
import dev.hangar.contracts.TrainingRun;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar runs info ID}: a run as text; a training run with its base model, LoRA rank and last checkpoint. */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Show a run: ref, status, times; for a training run also its owner, base model, LoRA rank,",
                "steps and last checkpoint."})
public final class RunsInfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(paramLabel = "RUN_ID", description = "The run's execution id (a training run's run id is one).")
    String runId;

    @Option(names = "--json", description = "Print {run, training_run} as JSON (training_run null for a processor run).")
    boolean json;

    @Override
    public Integer call() {
        RunDetail run;
        TrainingRun training = null;
        try (GatewayClient client = gateway.client()) {
            run = client.getRun(runId);
            try {
                training = client.getTrainingRun(runId);
            } catch (CliError e) {
                if (!ErrorCode.ERR_RUN_NOT_FOUND.name().equals(e.code())) {
                    throw e;
                }
            }
        }
        Output out = Output.of(spec);
        if (json) {
            var body = new java.util.LinkedHashMap<String, Object>();
            body.put("run", run);
            body.put("training_run", training);
            out.json(body);
            return 0;
        }
        var summary = run.summary().orElse(null);
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("run id", runId));
        if (summary != null) {
            rows.add(List.of("ref", summary.ref().toString()));
            rows.add(List.of("status", summary.status().wire()));
            rows.add(List.of("created", String.valueOf(summary.createdAt())));
            rows.add(List.of("adapter", summary.adapter().wire()));
        }
        var queue = run.queue();
        if (queue != null && queue.pool() != null) {
            rows.add(List.of("pool", queue.pool()));
        }
        String waiting = dev.hangar.cli.output.QueueText.waiting(queue);
        if (waiting != null) {
            rows.add(List.of("queue", waiting));
        }
        if (training != null) {
            rows.add(List.of("kind", "training run"));
            rows.add(List.of("owner", training.owner()));
            rows.add(List.of("base model", training.baseModel()));
            rows.add(List.of("LoRA rank", String.valueOf(training.lora().rank())));
            rows.add(List.of("steps", String.valueOf(training.steps())));
            rows.add(List.of("last checkpoint", training.lastCheckpoint() == null ? "-" : training.lastCheckpoint()));
            if (summary == null) {
                rows.add(List.of("status", training.status().wire()));
            }
        }
        out.table(List.of("FIELD", "VALUE"), rows);
        return 0;
    }
}
