package dev.hangar.contracts;

import java.util.regex.Pattern;

/**
 * A checkpoint's address, {@code hangar://<run_id>/<weights|sampler_weights>/<checkpoint_id>}:
 * the training run that wrote it, its kind, and its id within the run. Parsed once here, by the
 * gateway and the CLI alike; every way a path can be wrong is an
 * {@link ErrorCode#ERR_CHECKPOINT_PATH_INVALID} whose message names the part to fix. Run ids may
 * contain ':' (Tinker's do); no part may contain '/', and ids are never '.' or '..'.
 */
public record CheckpointPath(String runId, Kind kind, String checkpointId) {
    public static final String SCHEME = "hangar://";
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern CHECKPOINT_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    /** What a checkpoint holds: the resumable training state, or the adapter a sampler loads. */
    public enum Kind {
        WEIGHTS, SAMPLER_WEIGHTS;

        @com.fasterxml.jackson.annotation.JsonValue
        public String wire() {
            return WireEnums.wire(this);
        }

    }

    public CheckpointPath {
        requireRunId(runId);
        if (kind == null) {
            throw invalid("the kind is missing: use 'weights' or 'sampler_weights'");
        }
        requireCheckpointId(checkpointId);
    }

    /** Parses {@code hangar://RUN/KIND/ID}, or throws ERR_CHECKPOINT_PATH_INVALID saying what is wrong. */
    public static CheckpointPath parse(String path) {
        if (path == null || path.isBlank()) {
            throw invalid("a checkpoint path is required, like hangar://<run_id>/sampler_weights/<checkpoint_id>");
        }
        if (!path.startsWith(SCHEME)) {
            throw invalid("'" + path + "' must start with " + SCHEME + " (hangar://<run_id>/<weights|sampler_weights>/<checkpoint_id>)");
        }
        String[] parts = path.substring(SCHEME.length()).split("/", -1);
        if (parts.length != 3) {
            throw invalid("'" + path + "' must have exactly three parts after " + SCHEME
                    + ": <run_id>/<weights|sampler_weights>/<checkpoint_id>, it has " + parts.length);
        }
        Kind kind = switch (parts[1]) {
            case "weights" -> Kind.WEIGHTS;
            case "sampler_weights" -> Kind.SAMPLER_WEIGHTS;
            default -> throw invalid("'" + path + "': the kind must be 'weights' or 'sampler_weights', not '" + parts[1] + "'");
        };
        return new CheckpointPath(parts[0], kind, parts[2]);
    }

    /** The run id, or ERR_CHECKPOINT_PATH_INVALID. */
    public static String requireRunId(String runId) {
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw invalid("the run id '" + runId + "' must be 1 to 128 of A-Z, a-z, 0-9, '.', '_', ':', '-'");
        }
        return runId;
    }

    private static void requireCheckpointId(String id) {
        if (id == null || !CHECKPOINT_ID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw invalid("the checkpoint id '" + id + "' must be 1 to 128 of A-Z, a-z, 0-9, '.', '_', '-' (not '.' or '..')");
        }
    }

    private static HangarException invalid(String message) {
        return new HangarException(ErrorCode.ERR_CHECKPOINT_PATH_INVALID, message);
    }

    @Override
    public String toString() {
        return SCHEME + runId + "/" + kind.wire() + "/" + checkpointId;
    }
}
