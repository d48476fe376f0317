package dev.hangar.contracts;

import java.util.regex.Pattern;

/**
 * The name of a pool of executors ({@code adapter_opts.pool}, {@code hangar.executor.pool}):
 * lower-case letters, digits and dashes, starting with a letter or digit, at most 31 characters,
 * so that it can be part of a Kafka topic ({@link Topics#runsRequested}) and consumer group name;
 * {@code dlq} is reserved (its topic would be the commands' dead-letter topic).
 */
public final class PoolName {
    private static final Pattern RULE = Pattern.compile("[a-z0-9][a-z0-9-]{0,30}");

    private PoolName() {}

    /** Returns {@code name} if it is a valid pool name; throws {@link ErrorCode#ERR_OPTION_INVALID} saying the rule. */
    public static String requireValid(String name) {
        if ("dlq".equals(name)) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "pool 'dlq' is reserved (hangar.runs.requested.dlq is the "
                    + "dead-letter topic); name the pool otherwise");
        }
        if (name == null || !RULE.matcher(name).matches()) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "pool '" + name + "' is not a valid pool name: use 1 to 31 "
                    + "lower-case letters, digits and dashes, starting with a letter or digit (e.g. gpu-a)");
        }
        return name;
    }
}
