package dev.hangar.executor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A pool executor's commands channel: its pool's topic, its pool's group, nothing else. */
class PoolChannelsTest {

    @Test
    void aPoolExecutorReadsItsPoolsTopicInItsPoolsGroup() {
        assertEquals(Map.of("mp.messaging.incoming.run-requests.topic", "hangar.runs.requested.gpu-a",
                "mp.messaging.incoming.run-requests.group.id", "hangar-executor-gpu-a"), PoolChannels.channels("gpu-a"));
    }

    /** application.properties reads the pool as {@code ${HANGAR_EXECUTOR_POOL:}}: the factory sees the expanded value. */
    @Test
    void thePoolIsReadThroughItsPropertyExpression() {
        assertEquals("hangar.runs.requested.gpu-z", build("${NO_SUCH_HANGAR_VAR:gpu-z}").getRawValue(PoolChannels.TOPIC));
        assertEquals(null, build("${NO_SUCH_HANGAR_VAR:}").getRawValue(PoolChannels.TOPIC), "unset: a default executor");
    }

    static io.smallrye.config.SmallRyeConfig build(String poolValue) {
        return new io.smallrye.config.SmallRyeConfigBuilder().addDefaultInterceptors()
                .withSources(new io.smallrye.config.PropertiesConfigSource(Map.of("hangar.executor.pool", poolValue), "test", 250))
                .withSources(new PoolChannels()).build();
    }

    @Test
    void aBadPoolNameStopsTheExecutor() {
        assertEquals(ErrorCode.ERR_OPTION_INVALID, assertThrows(HangarException.class, () -> PoolChannels.channels("GPU A")).code());
        assertThrows(HangarException.class, () -> PoolChannels.channels("dlq"));
    }
}
