package dev.hangar.executor.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hangar.contracts.Attachments;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.executor.service.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFoldersTest {
    @Test
    void namesAreShortStableAndDistinct() {
        String a = RunFolders.shortName("r-" + "x".repeat(62) + "#1");
        assertEquals(16, a.length(), "a socket path must fit in 108 bytes whatever the execution id");
        assertEquals(a, RunFolders.shortName("r-" + "x".repeat(62) + "#1"));
        assertNotEquals(a, RunFolders.shortName("r-" + "x".repeat(62) + "#2"));
        assertTrue(a.matches("[0-9a-f]{16}"));
    }

    @Test
    void aRunFolderHasAnEmptyOutputsFolderAndAShortSocketPath(@TempDir Path work) throws Exception {
        var folders = new RunFolders(Fixtures.TestConfig.defaults(work));
        Path folder = folders.create("folder-run-01", 1);
        Files.writeString(folders.outputs(folder).resolve("stale.txt"), "from an earlier attempt");

        Path again = folders.create("folder-run-01", 1);

        assertEquals(folder, again);
        assertEquals(0, Files.list(folders.outputs(again)).count(), "a retried attempt starts from an empty folder");
        assertEquals(again.resolve(RunFolders.SOCKET), folders.socket(again));
        folders.delete(again);
        assertTrue(Files.notExists(again));
    }

    @Test
    void inputsLandInsideTheRunFolderOnly(@TempDir Path work) {
        var folders = new RunFolders(Fixtures.TestConfig.defaults(work));
        Path folder = work.resolve("f");
        String inside = Attachments.CONTAINER_ROOT + "abc/doc.txt";

        assertEquals(folder.resolve("inputs/abc/doc.txt"), folders.hostPath(folder, inside));
        var e = assertThrows(HangarException.class, () -> folders.hostPath(folder, RunContainer.IO_DIR + "/../../etc/passwd"));
        assertEquals(ErrorCode.ERR_ATTACHMENT_INVALID, e.code());
    }
}
