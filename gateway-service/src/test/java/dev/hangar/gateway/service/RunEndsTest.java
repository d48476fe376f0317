package dev.hangar.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.Envelope;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunEndsTest {
    static Envelope envelope(String id) {
        return Envelope.success(id, List.of(), "/artifacts/x/" + id + "/outputs.json", null);
    }

    @Test
    void aRunsEndHandsEveryWaiterItsEnvelope() throws Exception {
        var ends = new RunEnds(10);
        try (var held = ends.tryHold("r-1").orElseThrow(); var sampling = ends.waiter("r-1"); var other = ends.waiter("r-2")) {
            ends.ended("r-1", envelope("r-1"));
            assertEquals("r-1", held.ended(0).orElseThrow().executionId());
            assertTrue(sampling.await(0));
            assertFalse(other.await(10), "another run's end wakes nobody else");
        }
    }

    @Test
    void atMostTheCapIsHeldAndClosingFreesASlot() {
        var ends = new RunEnds(2);
        var one = ends.tryHold("r-1").orElseThrow();
        var two = ends.tryHold("r-2").orElseThrow();
        assertTrue(ends.tryHold("r-3").isEmpty(), "past the cap: no waiter");
        assertEquals(2, ends.held());
        one.close();
        one.close(); // twice is once
        assertEquals(1, ends.held());
        ends.tryHold("r-3").orElseThrow().close();
        two.close();
        assertEquals(0, ends.held());
        ends.waiter("r-4").close(); // sampling's waiters are not counted against the cap
        assertEquals(0, ends.held());
    }
}
