package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A training run: a run of a base model's trainer processor (e.g. {@code hangar/tiny-lm-train@1})
 * started with {@code POST /v1/training-runs}, whose checkpoints are registered when it ends.
 * {@code runId} is its execution id, so {@code hangar runs get} and the run's stream work on it too.
 *
 * @param lastCheckpoint the newest sampler checkpoint's path, once registered
 * @param streamUrl      the WebSocket of the run's events (in the create answer)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainingRun(String runId, String owner, String baseModel, Checkpoint.Lora lora, int steps, RunStatus status,
                          String lastCheckpoint, Instant createdAt, Instant updatedAt, String streamUrl) {

    /**
     * {@code POST /v1/training-runs}. {@code dataset} is the artefact path of an uploaded JSONL
     * attachment; {@code steps} 0 (no dataset) saves the fresh (or {@code model_path}'s) adapter
     * untrained, which is {@code hangar checkpoint save}. Unset numbers take the trainer's defaults
     * (rank 32, learning rate 3e-3, batch 8, a checkpoint at the last step only).
     *
     * @param modelPath start from this sampler checkpoint ({@code hangar://…}) instead of a fresh adapter
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Create(String baseModel, String modelPath, String dataset, Integer steps, Integer rank, Long seed,
                         Boolean trainMlp, Boolean trainAttn, Boolean trainUnembed, Double learningRate, Integer batchSize,
                         Integer checkpointEvery, Mode mode, String idempotencyKey) {}

    /**
     * One step's loss as the trainer reports it: a {@code progress} event whose message is
     * {@code step N/M loss X} (models/tiny-lm/train/trainer.py writes it).
     */
    public record Step(int step, int steps, double loss) {
        private static final Pattern MESSAGE = Pattern.compile("step (\\d+)/(\\d+) loss (-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)");

        /** The step a progress message reports, or null when it is not a step message. */
        public static Step parse(String message) {
            Matcher m = message == null ? null : MESSAGE.matcher(message);
            return m != null && m.matches()
                    ? new Step(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Double.parseDouble(m.group(3))) : null;
        }
    }
}
