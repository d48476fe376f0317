package dev.hangar.contracts;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RunStatusTest {
    @Test
    void terminalStatesAreFinal() {
        for (RunStatus end : new RunStatus[] {RunStatus.SUCCESS, RunStatus.ERROR, RunStatus.CANCELED}) {
            assertTrue(end.terminal());
            for (RunStatus next : RunStatus.values()) {
                assertFalse(end.canMoveTo(next), end + " -> " + next);
            }
        }
        assertTrue(RunStatus.QUEUED.canMoveTo(RunStatus.RUNNING));
        assertFalse(RunStatus.RUNNING.canMoveTo(RunStatus.QUEUED));
    }
}
