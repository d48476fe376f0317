package dev.hangar.gateway.config;

import dev.hangar.contracts.Mode;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;

/** Training sessions ({@code hangar.gateway.training.*}, docs/training-sessions.md). */
public interface TrainingConfig {

    /**
     * The base models sessions may start from, each {@code base-model=session-processor-ref}
     * (HANGAR_TRAINING_MODELS, comma-separated).
     */
    @WithDefault("hangar/tiny-lm=hangar/tiny-lm-session@1")
    List<String> models();

    /** The mode session runs use (HANGAR_TRAINING_MODE): {@code real} loads the base model, {@code mock} a tiny random one. */
    @WithDefault("real")
    Mode mode();

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
