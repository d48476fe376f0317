package dev.hangar.runtime.client;

/**
 * Hangar's per-run extensions to a prediction request, for a warm container that serves many runs:
 * where this run's outputs go and which execution it is, so that runs sharing a container never
 * share an output folder (the runtime reports in {@code output_files} only what the run wrote in
 * its own folder).
 *
 * @param outputDir   the run's output folder as the container sees it (absolute, under the
 *                    runtime's {@code HANGAR_RUNS_DIR}, existing), or null for the runtime's
 *                    default {@code HANGAR_OUTPUT_DIR}; the runtime answers 422 otherwise
 * @param executionId the execution the run belongs to ({@code self.execution_id} of the
 *                    processor), or null
 */
public record RunContext(String outputDir, String executionId) {
    /** No extensions: the request a cold, one-run container gets. */
    public static final RunContext NONE = new RunContext(null, null);

    public RunContext {
        if (outputDir != null && !outputDir.startsWith("/")) {
            throw new IllegalArgumentException("outputDir must be an absolute path inside the container: " + outputDir);
        }
    }
}
