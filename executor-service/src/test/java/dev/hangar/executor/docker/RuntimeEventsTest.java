package dev.hangar.executor.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hangar.contracts.RunEvent;
import dev.hangar.runtime.client.StreamEvent;
import org.junit.jupiter.api.Test;

/** The runtime's SSE events (Cog's names, and an older runtime's) become the same run events. */
class RuntimeEventsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static StreamEvent event(String type, String data) throws Exception {
        return StreamEvent.of(type, JSON.readTree(data));
    }

    @Test
    void cogEventsMapToTheRunEventsOfBefore() throws Exception {
        assertEquals(new RunEvent.Log("stderr", "oops"), LocalAdapter.toBody(event("log", "{\"source\":\"stderr\",\"data\":\"oops\\n\"}")));
        assertEquals(new RunEvent.Token("hel"), LocalAdapter.toBody(event("output", "{\"chunk\":\"hel\",\"index\":0}")));
        assertEquals(new RunEvent.Progress(0.5, "half"), LocalAdapter.toBody(event("progress", "{\"fraction\":0.5,\"message\":\"half\"}")));
        // An older runtime's names read the same.
        assertEquals(new RunEvent.Log("stdout", "x"), LocalAdapter.toBody(event("log", "{\"stream\":\"stdout\",\"line\":\"x\"}")));
        assertEquals(new RunEvent.Token("t"), LocalAdapter.toBody(event("token", "{\"text\":\"t\"}")));
    }

    @Test
    void startMetricAndNonTextOutputAreNotRunEvents() throws Exception {
        assertFalse(event("start", "{\"id\":\"p\",\"status\":\"processing\"}").isRunEvent());
        assertFalse(event("metric", "{\"name\":\"n\",\"value\":1,\"mode\":\"incr\"}").isRunEvent());
        assertFalse(event("output", "{\"chunk\":{\"a\":1},\"index\":0}").isRunEvent());
        assertTrue(event("output", "{\"chunk\":\"text\",\"index\":0}").isRunEvent());
    }

    @Test
    void anUntrustedStreamNameIsStdout() throws Exception {
        assertEquals(new RunEvent.Log("stdout", "x"), LocalAdapter.toBody(event("log", "{\"source\":\"/etc/passwd\",\"data\":\"x\"}")));
    }
}
