package dev.hangar.executor.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RunFoldersTest {
    @Test
    void namesAreShortStableAndDistinct() {
        String a = RunFolders.shortName("r-" + "x".repeat(62) + "#1");
        assertEquals(16, a.length(), "a socket path must fit in 108 bytes whatever the execution id");
        assertEquals(a, RunFolders.shortName("r-" + "x".repeat(62) + "#1"));
        assertNotEquals(a, RunFolders.shortName("r-" + "x".repeat(62) + "#2"));
        assertTrue(a.matches("[0-9a-f]{16}"));
    }
}
