package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.cli.service.RunFollower;
import dev.hangar.cli.service.TrainingRunWatch;
import dev.hangar.contracts.Checkpoint;
import dev.hangar.contracts.CheckpointPath;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.TrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hangar checkpoint save}: Tinker's "create a training client and save its weights" as one
 * command: a training run of zero steps on the server, which saves the fresh adapter (or the one
 * {@code --model-path} names) as checkpoints, then the metadata JSON.
 */
@Command(name = "save", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Create a LoRA adapter on a base model (or from a sampler checkpoint) and save it as checkpoints,",
                "without training. Prints (or writes to --output) the metadata JSON",
                "{base_model, model_id, weights_path, saved_at, response}."})
public final class CheckpointSaveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--base-model", paramLabel = "ID", description = "A base model, e.g. hangar/tiny-lm: a fresh adapter.")
        String baseModel;

        @Option(names = "--model-path", paramLabel = "PATH", description = "A sampler checkpoint (yours or published) to save again as your own.")
        String modelPath;
    }

    @Mixin
    LoraOptions lora;

    @Option(names = "--mode", paramLabel = "MODE", converter = WireOptions.ModeConverter.class,
            completionCandidates = WireOptions.Modes.class, description = "mock (the tiny test-size model) or real; default: the base model's configured mode (as sampling).")
    Mode mode;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the metadata JSON here instead of stdout.")
    Path output;

    @Override
    public Integer call() {
        lora.requireValid(spec.commandLine());
        String modelPath = source.modelPath == null ? null : CheckpointCommand.path(source.modelPath);
        if (modelPath != null && CheckpointPath.parse(modelPath).kind() != CheckpointPath.Kind.SAMPLER_WEIGHTS) {
            throw new CliError(ErrorCode.ERR_CHECKPOINT_PATH_INVALID, "--model-path must be a sampler checkpoint "
                    + "(hangar://<run_id>/sampler_weights/<id>), not " + modelPath);
        }
        TrainingRunWatch.Result result;
        try (GatewayClient client = gateway.client()) {
            TrainingRun run = client.createTrainingRun(new TrainingRun.Create(source.baseModel, modelPath, null, 0, lora.rank, lora.seed,
                    lora.trainMlp, lora.trainAttn, lora.trainUnembed, null, null, null, mode, null));
            result = new TrainingRunWatch(client, RunFollower.Settings.DEFAULT).follow(run, step -> { });
        }
        if (!result.outcome().success()) {
            var error = result.outcome().envelope().error();
            throw new CliError(result.outcome().errorCode() == null ? ErrorCode.ERR_INTERNAL.name() : result.outcome().errorCode(),
                    "saving failed: " + (error == null ? "no message" : error.message()), null, result.run().runId(), null);
        }
        var metadata = new LinkedHashMap<String, Object>();
        metadata.put("base_model", result.run().baseModel());
        metadata.put("model_id", result.run().runId());
        metadata.put("weights_path", weightsPath(result));
        metadata.put("saved_at", Instant.now().toString());
        var response = new LinkedHashMap<String, Object>();
        response.put("training_run", result.run());
        response.put("checkpoints", result.checkpoints().checkpoints());
        metadata.put("response", response);
        if (output == null) {
            Output.of(spec).json(metadata);
            return 0;
        }
        try {
            Files.writeString(output, Json.write(metadata) + "\n");
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "cannot write --output " + output + ": " + e.getMessage(), e);
        }
        Output out = Output.of(spec);
        out.out().println("saved " + metadata.get("weights_path") + "; metadata in " + output);
        out.out().flush();
        return 0;
    }

    /** The sampler checkpoint: what `hangar sample --model-path` takes. */
    private static String weightsPath(TrainingRunWatch.Result result) {
        return result.checkpoints().checkpoints().stream().filter(c -> c.checkpointType() == CheckpointPath.Kind.SAMPLER_WEIGHTS)
                .map(Checkpoint::path).findFirst().orElse(result.run().lastCheckpoint());
    }
}
