package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.cli.service.RunFollower;
import dev.hangar.cli.service.TrainingRunWatch;
import dev.hangar.contracts.Checkpoint;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code hangar train-run create --dataset FILE --steps N}: uploads the JSONL dataset as an
 * attachment, starts the training run, prints the loss of every step as it streams, and ends with
 * the paths of the checkpoints it saved.
 */
@Command(name = "create", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Upload a JSONL dataset and train a LoRA adapter on it for N steps, on the server.",
                "Prints the loss of each step as it streams, then the checkpoint paths",
                "(hangar://<run_id>/sampler_weights/<id>, hangar://<run_id>/weights/final).",
                "Dataset lines: {\"prompt\": \"…\", \"completion\": \"…\"} or {\"text\": \"…\"}."})
public final class TrainRunCreateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Mixin
    LoraOptions lora;

    @Option(names = "--dataset", required = true, paramLabel = "FILE", description = "The JSONL training data; uploaded as an attachment.")
    Path dataset;

    @Option(names = "--steps", required = true, paramLabel = "N", description = "Optimizer steps, 1 to 10000.")
    int steps;

    @Option(names = "--base-model", defaultValue = "hangar/tiny-lm", paramLabel = "ID", description = "The base model (default: ${DEFAULT-VALUE}).")
    String baseModel;

    @Option(names = "--learning-rate", paramLabel = "LR", description = "Adam learning rate (default: the trainer's, 3e-3).")
    Double learningRate;

    @Option(names = "--batch-size", paramLabel = "N", description = "Examples per step (default: 8).")
    Integer batchSize;

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "A sampler checkpoint every N steps (default: 0 = the last step only).")
    Integer checkpointEvery;

    @Option(names = "--mode", paramLabel = "MODE", converter = WireOptions.ModeConverter.class,
            completionCandidates = WireOptions.Modes.class, description = "mock (the tiny test-size model, fast) or real (the base model); default: the base model's configured mode (as sampling).")
    Mode mode;

    @Option(names = "--json", description = "Print {training_run, losses, checkpoints, envelope} as JSON at the end instead of text.")
    boolean json;

    @Override
    public Integer call() {
        if (steps < 1 || steps > 10_000) {
            throw new ParameterException(spec.commandLine(), "--steps must be between 1 and 10000, got " + steps);
        }
        lora.requireValid(spec.commandLine());
        if (!Files.isRegularFile(dataset)) {
            throw new CliError(ErrorCode.ERR_ATTACHMENT_INVALID, "--dataset " + dataset + " is not a readable file");
        }
        Output out = Output.of(spec);
        try (GatewayClient client = gateway.client()) {
            String uploaded = client.upload(dataset, dataset.getFileName().toString()).path();
            TrainingRun run = client.createTrainingRun(new TrainingRun.Create(baseModel, null, uploaded, steps, lora.rank, lora.seed,
                    lora.trainMlp, lora.trainAttn, lora.trainUnembed, learningRate, batchSize, checkpointEvery, mode, null));
            if (!json) {
                out.out().printf("training run %s: %s, LoRA rank %d, %d steps%n", run.runId(), run.baseModel(), run.lora().rank(), steps);
                out.out().flush();
            }
            List<Double> losses = new ArrayList<>();
            var result = new TrainingRunWatch(client, RunFollower.Settings.DEFAULT).follow(run, step -> {
                losses.add(step.loss());
                if (!json) {
                    out.out().printf("step %d/%d  loss %.4f%n", step.step(), step.steps(), step.loss());
                    out.out().flush();
                }
            });
            return report(out, result, losses);
        }
    }

    private int report(Output out, TrainingRunWatch.Result result, List<Double> losses) {
        if (json) {
            var body = new LinkedHashMap<String, Object>();
            body.put("training_run", result.run());
            body.put("losses", losses);
            body.put("checkpoints", result.checkpoints().checkpoints().stream().map(Checkpoint::path).toList());
            body.put("envelope", result.outcome().json());
            out.json(body);
            return result.outcome().success() ? 0 : 1;
        }
        if (!result.outcome().success()) {
            var error = result.outcome().envelope().error();
            throw new CliError(result.outcome().errorCode() == null ? ErrorCode.ERR_INTERNAL.name() : result.outcome().errorCode(),
                    "training run " + result.run().runId() + " failed: " + (error == null ? "no message" : error.message()),
                    null, result.run().runId(), null);
        }
        out.out().println("checkpoints:");
        for (Checkpoint c : result.checkpoints().checkpoints()) {
            out.out().println("  " + c.path());
        }
        out.out().flush();
        return 0;
    }
}
