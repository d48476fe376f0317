package dev.hangar.executor.docker;

import dev.hangar.executor.config.LimitsConfig;

/** {@link LimitsConfig} as the defaults give it, or tighter for a test that floods. */
public record TestLimits(int maxOutputFiles, long maxOutputBytes, int maxReplyBytes, int maxEgressConnections)
        implements LimitsConfig {
    public static final TestLimits DEFAULTS = new TestLimits(1000, 1L << 30, 16 * 1024 * 1024, 64);
}
