package dev.hangar.executor.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hangar.contracts.ContentId;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outputs folder as a hostile processor leaves it, read on the host (the Docker version is IsolationIT). */
class OutputCollectorTest {
    private final OutputCollector collector = new OutputCollector(10, 100);
    @TempDir
    Path run;
    private Path outputs;

    @BeforeEach
    void folders() throws Exception {
        outputs = Files.createDirectories(run.resolve("outputs"));
        Files.writeString(outputs.resolve("ok.txt"), "fine");
    }

    @Test
    void regularFilesInPathOrderWithoutTheProcessorsIndex() throws Exception {
        Files.createDirectories(outputs.resolve("a"));
        Files.writeString(outputs.resolve("a/b.txt"), "bb");
        Files.writeString(outputs.resolve("outputs.json"), "{}");
        var files = collector.collect(outputs);
        assertEquals(List.of("a/b.txt", "ok.txt"), files.stream().map(OutputCollector.OutputFile::relative).toList());
        assertEquals(ContentId.of("bb".getBytes(StandardCharsets.UTF_8)), files.get(0).cid());
        assertEquals(2, files.get(0).size());
    }

    @Test
    void aSymlinkToAHostFileIsRefused() throws Exception {
        Files.createSymbolicLink(outputs.resolve("x"), Path.of("/etc/hostname"));
        refused("x", "symbolic link");
    }

    @Test
    void aSymlinkedFolderIsRefused() throws Exception {
        Files.createDirectories(outputs.resolve("d"));
        Files.createSymbolicLink(outputs.resolve("d/etc"), Path.of("/etc"));
        refused("d/etc", "symbolic link");
    }

    @Test
    void anOutputsFolderReplacedByALinkIsRefused() throws Exception {
        Files.delete(outputs.resolve("ok.txt"));
        Files.delete(outputs);
        Files.createSymbolicLink(outputs, Path.of("/etc"));
        refused("outputs", "replaced");
    }

    @Test
    void aHardLinkToAFileOutsideTheOutputsIsRefused() throws Exception {
        Path secret = Files.writeString(run.resolve("private.txt"), "elsewhere in the run folder");
        Files.createLink(outputs.resolve("linked.txt"), secret);
        refused("linked.txt", "hard link");
    }

    @Test
    void aFifoIsRefusedWithoutBlocking() throws Exception {
        assertEquals(0, new ProcessBuilder("mkfifo", outputs.resolve("pipe").toString()).start().waitFor());
        refused("pipe", "FIFO");
    }

    @Test
    void aDeviceIsRefused() throws Exception {
        var mknod = new ProcessBuilder("mknod", outputs.resolve("null").toString(), "c", "1", "3").start();
        assumeTrue(mknod.waitFor() == 0, "mknod needs root");
        refused("null", "device");
    }

    @Test
    void aControlCharacterInANameIsRefused() throws Exception {
        Files.writeString(outputs.resolve("evil\nname"), "x");
        var e = assertThrows(HangarException.class, () -> collector.collect(outputs));
        assertEquals(ErrorCode.ERR_OUTPUT_INVALID, e.code());
        assertTrue(e.getMessage().contains("control character"), e.getMessage());
    }

    @Test
    void tooManyEntriesOrBytesArePastTheLimit() throws Exception {
        for (int i = 0; i < 10; i++) {
            Files.writeString(outputs.resolve("f" + i), "");
        }
        var many = assertThrows(HangarException.class, () -> collector.collect(outputs));
        assertEquals(ErrorCode.ERR_OUTPUT_LIMIT, many.code());
        assertTrue(many.getMessage().contains("max-output-files"), many.getMessage());

        var big = assertThrows(HangarException.class, () -> new OutputCollector(1000, 3).collect(outputs));
        assertEquals(ErrorCode.ERR_OUTPUT_LIMIT, big.code());
        assertTrue(big.getMessage().contains("max-output-bytes"), big.getMessage());
    }

    @Test
    void aMissingOutputsFolderIsNoOutputs() throws Exception {
        Files.delete(outputs.resolve("ok.txt"));
        Files.delete(outputs);
        assertEquals(List.of(), collector.collect(outputs));
    }

    private void refused(String path, String why) {
        var e = assertThrows(HangarException.class, () -> collector.collect(outputs));
        assertEquals(ErrorCode.ERR_OUTPUT_INVALID, e.code());
        assertTrue(e.getMessage().startsWith("output " + path + " was refused") && e.getMessage().contains(why), e.getMessage());
    }
}
