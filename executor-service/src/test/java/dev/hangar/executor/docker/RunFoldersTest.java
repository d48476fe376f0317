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

    @Test
    void aPoolFolderKeepsRunsToTheExecutorAndASealedRunFolderIsRootsThroughout(@TempDir Path work) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(RunFolders.executorIsRoot(), "sealing takes folders back: only root can");
        var folders = new RunFolders(Fixtures.TestConfig.defaults(work));
        Path pool = folders.createPool("0123456789abcdef");
        assertEquals(041770, Files.getAttribute(pool, "unix:mode"), "root's, sticky, writable by the container's group");
        assertEquals(10001, Files.getAttribute(pool, "unix:gid"));
        assertEquals(0, Files.getAttribute(pool.resolve(RunFolders.RUNS), "unix:uid"));
        assertEquals(040755, Files.getAttribute(pool.resolve(RunFolders.RUNS), "unix:mode"), "runs/ is read-only to the container");

        Path run = folders.createRun(pool, "fedcba9876543210");
        Files.createDirectories(run.resolve("outputs/deep/deeper"));
        Files.writeString(run.resolve("outputs/deep/deeper/out.txt"), "mine");
        folders.handOver(run);
        try (var paths = Files.walk(run)) {
            for (Path p : paths.toList()) {
                Files.setAttribute(p, "unix:mode", Files.isDirectory(p) ? 040777 : 0100666);
            }
        }

        Path sealed = folders.moveOut(run);
        assertTrue(Files.notExists(run), "moved out of the mount");
        assertTrue(!sealed.startsWith(pool), sealed.toString());
        folders.seal(sealed);
        try (var paths = Files.walk(sealed)) {
            for (Path p : paths.filter(Files::isDirectory).toList()) {
                assertEquals(0, Files.getAttribute(p, "unix:uid"), p + " is root's");
                assertEquals(040755, Files.getAttribute(p, "unix:mode"), p + " is writable by root only");
            }
        }
        assertEquals("mine", Files.readString(sealed.resolve("outputs/deep/deeper/out.txt")));

        Files.setAttribute(pool.resolve(RunFolders.RUNS), "unix:uid", 10001);
        assertEquals(ErrorCode.ERR_CONTAINER_FAILED,
                assertThrows(HangarException.class, () -> folders.createRun(pool, "0000000000000000")).code(),
                "a runs/ that is not the executor's own any more is refused");
        folders.delete(sealed);
        folders.delete(pool);
    }
}
