package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;

/**
 * One registered checkpoint, as {@code GET /v1/checkpoints/info} and the list answer it (the
 * fields Tinker's checkpoint info has, plus the owner and the LoRA it was trained with).
 *
 * @param path       {@code hangar://<run_id>/<kind>/<checkpoint_id>} ({@link CheckpointPath})
 * @param sizeBytes  the bytes stored: the packed {@code .hlora} for sampler weights, every file of the folder for weights
 * @param isPublic   published: other owners may read and sample it
 * @param expiresAt  when the service deletes it (null: kept until deleted)
 * @param attachment for sampler weights, the content-addressed copy of its {@code .hlora}
 *                   ({@code /artifacts/inputs/sha256:<hex>/<id>.hlora}) a sampling run takes as its {@code adapter}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Checkpoint(String path, String checkpointId, CheckpointPath.Kind checkpointType, String runId, String owner,
                         String baseModel, Lora lora, long sizeBytes, @JsonProperty("public") boolean isPublic,
                         Instant createdAt, Instant expiresAt, String attachment) {

    /** The LoRA configuration the checkpoint was trained with (Tinker's {@code LoraConfig}). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Lora(int rank, long seed, boolean trainMlp, boolean trainAttn, boolean trainUnembed) {}

    /** A page of {@code GET /v1/checkpoints}: the checkpoints and Tinker's cursor. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Page(List<Checkpoint> checkpoints, Cursor cursor) {}

    /** Where a page sits: {@code limit} 0 means all; {@code total_count} counts every match. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Cursor(long totalCount, int offset, int limit) {}

    /** {@code PUT /v1/checkpoints/ttl}: {@code ttl_seconds} from now, or null to keep it until deleted. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Ttl(String path, Long ttlSeconds) {}

    /** A body naming one checkpoint ({@code publish}, {@code unpublish}, {@code delete}, {@code archive}). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Ref(String path) {}

    /**
     * {@code POST /v1/checkpoints/archive}: where to fetch the archive (a {@code .tar.gz} of the
     * checkpoint's files), built once however many ask; {@code sha256} is of the archive's bytes.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Archive(String path, String url, Instant expiresAt, String sha256, long sizeBytes, String filename) {}
}
