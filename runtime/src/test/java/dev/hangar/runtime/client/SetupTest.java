package dev.hangar.runtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SetupTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void isStartingWhileSetupRunsThenReady(@TempDir Path dir) throws Exception {
        Path gate = dir.resolve("gate");
        try (var runtime = RuntimeProcess.start(dir, "gated_setup", Map.of("GATE_FILE", gate.toString()))) {
            // the socket answers before the setup thread records its start: wait for both
            Health starting = runtime.awaitHealth(h -> "STARTING".equals(h.status())
                    && h.raw().path("setup").hasNonNull("started_at"));
            assertFalse(starting.ready());

            var refused = assertThrows(RuntimeResponseException.class,
                    () -> runtime.client.predict("early", JSON.createObjectNode(), e -> { }));
            assertEquals(503, refused.status(), "a prediction before setup ends is refused, not queued");

            Files.createFile(gate);
            Health ready = runtime.awaitHealth(Health::ready);
            assertEquals("succeeded", ready.raw().path("setup").path("status").asText());
            assertTrue(ready.setupLogs().contains("waiting for the gate\ngate open\n"), ready.setupLogs());
            assertTrue(runtime.client.predict("after", JSON.createObjectNode(), e -> { }).succeeded());
        }
    }

    @Test
    void setupThatRaisesIsSetupFailedWithTheTraceback(@TempDir Path dir) throws Exception {
        try (var runtime = RuntimeProcess.start(dir, "failing_setup", Map.of())) {
            Health health = runtime.awaitHealth(h -> !"STARTING".equals(h.status()));
            assertTrue(health.setupFailed(), health.raw().toString());
            assertEquals("failed", health.raw().path("setup").path("status").asText());
            String logs = health.setupLogs();
            assertTrue(logs.startsWith("loading weights\n"), logs);
            assertTrue(logs.contains("Traceback (most recent call last)"), logs);
            assertTrue(logs.contains("RuntimeError: weights file is missing"), logs);
            assertTrue(runtime.log().contains("RuntimeError: weights file is missing"), "and on the container's stderr");
        }
    }

    @Test
    void aMissingProcessorFileIsSetupFailed(@TempDir Path dir) throws Exception {
        try (var runtime = RuntimeProcess.startFile(dir, dir.resolve("nope.py"), Map.of())) {
            Health health = runtime.awaitHealth(h -> !"STARTING".equals(h.status()));
            assertTrue(health.setupFailed());
            assertTrue(health.setupLogs().contains("processor file not found"), health.setupLogs());
        }
    }
}
