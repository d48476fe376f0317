package dev.hangar.gateway.config;

import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Training sessions ({@code hangar.gateway.training.*}, docs/training-sessions.md). Which base
 * models they start from, with which processor and mode, is the base model's own config
 * ({@code hangar.gateway.models."<id>".session}, {@code .mode}).
 */
public interface TrainingConfig {

    /** A session with no heartbeat (and no call) for this long expires; its container is freed. */
    @WithDefault("120s")
    Duration heartbeatTimeout();

    /** How often each replica looks for sessions whose heartbeats stopped. */
    @WithDefault("5s")
    Duration expiryInterval();

    /** The pause a Tinker client is told to wait before it asks for a pending future again ({@code retry_after_ms}). */
    @WithDefault("250ms")
    Duration retryAfter();

    /** Open sessions one owner may hold at once. */
    @WithDefault("8")
    int maxSessionsPerOwner();
}
