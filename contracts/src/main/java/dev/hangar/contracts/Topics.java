package dev.hangar.contracts;

/**
 * Kafka topic names, the only place they are written: a test fails if a properties file names a
 * topic that is not here. Keys are the execution id (runs) or {@code ns/name@ver:env} (deploys).
 */
public final class Topics {
    public static final String RUNS_REQUESTED = "hangar.runs.requested";
    public static final String RUNS_EVENTS = "hangar.runs.events";
    /**
     * Where producers outside Hangar submit runs ({@link RunRequest} values, each with an
     * {@code authorization: Bearer <token>} header); the gateway checks the token and the request and
     * writes the command to {@link #RUNS_REQUESTED}, which only gateways write.
     */
    public static final String RUNS_SUBMIT = "hangar.runs.submit";
    public static final String RUNS_CONTROL = "hangar.runs.control";
    public static final String DEPLOY_REQUESTED = "hangar.deploy.requested";
    public static final String DEPLOY_EVENTS = "hangar.deploy.events";
    public static final String DLQ_SUFFIX = ".dlq";
    public static final String RUNS_REQUESTED_DLQ = RUNS_REQUESTED + DLQ_SUFFIX;
    public static final String RUNS_EVENTS_DLQ = RUNS_EVENTS + DLQ_SUFFIX;
    public static final String RUNS_SUBMIT_DLQ = RUNS_SUBMIT + DLQ_SUFFIX;
    /** Header of a {@link #RUNS_SUBMIT} record carrying {@code Bearer <token>}. */
    public static final String AUTHORIZATION_HEADER = "authorization";

    /**
     * A pool's commands ({@code hangar.runs.requested.<pool>}): runs with adapter {@code remote}
     * for that pool, read only by the pool's executors (consumer group {@link #poolGroup}).
     */
    public static String runsRequested(String pool) {
        return RUNS_REQUESTED + "." + PoolName.requireValid(pool);
    }

    /** Whether a topic carries run commands: {@link #RUNS_REQUESTED} or a pool's. */
    public static boolean isRunCommands(String topic) {
        return RUNS_REQUESTED.equals(topic)
                || topic != null && topic.startsWith(RUNS_REQUESTED + ".") && !topic.endsWith(DLQ_SUFFIX);
    }

    /** The consumer group of a pool's executors. */
    public static String poolGroup(String pool) {
        return "hangar-executor-" + PoolName.requireValid(pool);
    }

    /** Header carrying the reason a record went to a dead-letter topic. */
    public static final String DLQ_REASON_HEADER = "dead-letter-reason";

    private Topics() {}
}
