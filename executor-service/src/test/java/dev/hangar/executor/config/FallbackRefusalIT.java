package dev.hangar.executor.config;

import dev.hangar.kit.testing.FallbackRefusal;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The packaged executor, started as in production but with the built-in internal token, refuses to run. */
class FallbackRefusalIT {
    @Test
    void theProductionProfileRefusesTheBuiltInInternalToken() throws Exception {
        FallbackRefusal.assertRefusesTheBuiltInToken("executor-service", Map.of(
                "HANGAR_EXECUTOR_WORK_DIR", Files.createTempDirectory("executor-fallback").toString(),
                "HANGAR_EXECUTOR_ID", "executor-fallback-it",
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")); // it must never join the stack's consumer group
    }
}
