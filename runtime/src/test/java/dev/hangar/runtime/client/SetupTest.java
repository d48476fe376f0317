package dev.hangar.runtime.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Python runtime's own setup failures; STARTING, READY and SETUP_FAILED are in {@link RuntimeProtocolContract}. */
class SetupTest {

    @Test
    void aMissingProcessorFileIsSetupFailed(@TempDir Path dir) throws Exception {
        try (var runtime = RuntimeProcess.startFile(dir, dir.resolve("nope.py"), Map.of())) {
            Health health = runtime.awaitHealth(h -> !"STARTING".equals(h.status()));
            assertTrue(health.setupFailed());
            assertTrue(health.setupLogs().contains("processor file not found"), health.setupLogs());
        }
    }
}
