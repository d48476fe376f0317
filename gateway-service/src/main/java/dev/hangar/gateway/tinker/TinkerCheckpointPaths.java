package dev.hangar.gateway.tinker;

import dev.hangar.contracts.CheckpointPath;

/**
 * Tinker names a checkpoint {@code tinker://<run>/<weights|sampler_weights>/<id>}; Hangar's
 * {@link CheckpointPath} is the same path with {@code hangar://}. Both are taken on the way in
 * (every rule is {@link CheckpointPath}'s), {@code tinker://} goes out so Tinker's own path
 * parser (ParsedCheckpointTinkerPath) reads what this surface answers.
 */
final class TinkerCheckpointPaths {
    static final String SCHEME = "tinker://";

    private TinkerCheckpointPaths() {}

    /** A {@code tinker://} or {@code hangar://} path, or ERR_CHECKPOINT_PATH_INVALID saying what is wrong. */
    static CheckpointPath parse(String path) {
        return CheckpointPath.parse(hangar(path));
    }

    /** The path with Hangar's scheme (anything else is left for {@link CheckpointPath#parse} to refuse). */
    static String hangar(String path) {
        return path != null && path.startsWith(SCHEME) ? CheckpointPath.SCHEME + path.substring(SCHEME.length()) : path;
    }

    /** From the REST path's parts: {@code training_runs/{run}/checkpoints/{kind}/{id}}. */
    static CheckpointPath of(String runId, String kind, String id) {
        return CheckpointPath.parse(CheckpointPath.SCHEME + runId + "/" + kind + "/" + id);
    }

    static String tinker(CheckpointPath path) {
        return SCHEME + path.runId() + "/" + path.kind().wire() + "/" + path.checkpointId();
    }
}
