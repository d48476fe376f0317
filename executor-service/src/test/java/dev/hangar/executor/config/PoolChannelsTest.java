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

    @Test
    void aBadPoolNameStopsTheExecutor() {
        assertEquals(ErrorCode.ERR_OPTION_INVALID, assertThrows(HangarException.class, () -> PoolChannels.channels("GPU A")).code());
        assertThrows(HangarException.class, () -> PoolChannels.channels("dlq"));
    }
}
