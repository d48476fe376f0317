package dev.hangar.gateway.checkpoints;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Training runs and checkpoints (docs/checkpoints.md). Trainer refs per base model are {@link BaseModels}'. */
@ConfigMapping(prefix = "hangar.gateway.checkpoints")
public interface CheckpointsConfig {

    /** How often a replica looks for ended training runs whose checkpoints are not registered yet (a run's end also wakes it). */
    @WithDefault("2s")
    Duration registerInterval();

    /** How often expired checkpoints are deleted (from S3 and the table). */
    @WithDefault("30s")
    Duration sweepInterval();

    /** Expired checkpoints one sweep deletes at most. */
    @WithDefault("100")
    int sweepBatch();

    /** How long an archive's presigned download URL stays valid. */
    @WithDefault("300")
    int archiveUrlSeconds();

    /** The longest TTL {@code PUT /v1/checkpoints/ttl} accepts, in seconds (default ten years). */
    @WithDefault("315360000")
    long maxTtlSeconds();

    /** How many checkpoints {@code GET /v1/checkpoints} returns at most when asked for all ({@code limit=0}). */
    @WithDefault("10000")
    int listMax();
}
