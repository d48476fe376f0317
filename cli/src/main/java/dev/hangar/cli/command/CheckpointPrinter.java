package dev.hangar.cli.command;

import dev.hangar.cli.output.Output;
import dev.hangar.contracts.Checkpoint;
import java.util.List;

/** How a checkpoint reads as text. */
final class CheckpointPrinter {
    private CheckpointPrinter() {}

    static void info(Output out, Checkpoint c) {
        var l = c.lora();
        out.table(List.of("FIELD", "VALUE"), List.of(
                List.of("path", c.path()),
                List.of("type", c.checkpointType().wire()),
                List.of("run id", c.runId()),
                List.of("owner", c.owner()),
                List.of("base model", c.baseModel()),
                List.of("LoRA", "rank " + l.rank() + ", seed " + l.seed() + ", mlp " + l.trainMlp() + ", attn " + l.trainAttn()
                        + ", unembed " + l.trainUnembed()),
                List.of("rank", String.valueOf(l.rank())),
                List.of("size", Output.size(c.sizeBytes())),
                List.of("public", String.valueOf(c.isPublic())),
                List.of("created", String.valueOf(c.createdAt())),
                List.of("expires", c.expiresAt() == null ? "never" : c.expiresAt().toString())));
    }
}
