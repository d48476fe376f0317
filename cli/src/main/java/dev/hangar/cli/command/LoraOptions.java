package dev.hangar.cli.command;

import dev.hangar.contracts.Training;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The LoRA configuration of a new adapter, Tinker's names and defaults (rank 32, seed 0, every part trained). */
public final class LoraOptions {
    @Option(names = "--rank", paramLabel = "N", description = "LoRA rank, 1 to 128 (default: 32).")
    Integer rank;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the adapter's initialisation and the batch order (default: 0).")
    Long seed;

    @Option(names = "--train-mlp", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Train the MLP layers (default: on; --no-train-mlp to leave them).")
    boolean trainMlp;

    @Option(names = "--train-attn", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Train the attention projections (default: on).")
    boolean trainAttn;

    @Option(names = "--train-unembed", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Train the output projection (default: on).")
    boolean trainUnembed;

    /** Refuses what the gateway would, before anything is uploaded or sent: a rank out of range, nothing to train. */
    void requireValid(CommandLine command) {
        if (rank != null && (rank < 1 || rank > Training.MAX_RANK)) {
            throw new ParameterException(command, "--rank must be between 1 and " + Training.MAX_RANK + ", got " + rank);
        }
        if (!trainMlp && !trainAttn && !trainUnembed) {
            throw new ParameterException(command, "--no-train-mlp, --no-train-attn and --no-train-unembed leave nothing to train; "
                    + "keep at least one");
        }
    }
}
