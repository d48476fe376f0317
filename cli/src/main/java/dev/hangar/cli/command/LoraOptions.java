package dev.hangar.cli.command;

import picocli.CommandLine.Option;

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
}
