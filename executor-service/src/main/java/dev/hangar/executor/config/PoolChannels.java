package dev.hangar.executor.config;

import dev.hangar.contracts.PoolName;
import dev.hangar.contracts.Topics;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.PropertiesConfigSource;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Points the commands channel of a pool executor at its pool (docs/remote.md): with
 * {@code hangar.executor.pool} (env {@code HANGAR_EXECUTOR_POOL}) set, the channel reads
 * {@code hangar.runs.requested.<pool>} in group {@code hangar-executor-<pool>}, so a pool
 * executor starts from the same jar with one environment variable. Its values sit above
 * application.properties and below the environment, so an explicit
 * {@code MP_MESSAGING_INCOMING_RUN_REQUESTS_TOPIC} still wins (tests use their own topics).
 */
public class PoolChannels implements ConfigSourceFactory {
    /** Above application.properties (250), below environment variables (300). */
    static final int ORDINAL = 275;
    static final String TOPIC = "mp.messaging.incoming.run-requests.topic";
    static final String GROUP = "mp.messaging.incoming.run-requests.group.id";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        var pool = context.getValue("hangar.executor.pool");
        if (pool == null || pool.getValue() == null || pool.getValue().isBlank()) {
            return List.of();
        }
        return List.of(new PropertiesConfigSource(channels(pool.getValue().strip()), "hangar-executor-pool", ORDINAL));
    }

    /** The channel's topic and group for a pool; throws ERR_OPTION_INVALID for a bad pool name. */
    static Map<String, String> channels(String pool) {
        PoolName.requireValid(pool);
        return Map.of(TOPIC, Topics.runsRequested(pool), GROUP, Topics.poolGroup(pool));
    }
}
