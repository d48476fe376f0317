package dev.hangar.cli.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.cli.error.CliError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint archives as an attacker would write them: nothing lands outside the target, nothing is half-extracted. */
class ArchiveExtractorTest {
    @TempDir
    Path dir;

    @Test
    void aCheckpointArchiveIsExtractedWithoutItsTopFolder() throws Exception {
        Path archive = archive(tar -> {
            folder(tar, "final/");
            file(tar, "final/adapter.pt", "tensors");
            file(tar, "final/sub/train_state.json", "{}");
        });
        Path target = dir.resolve("out");
        ArchiveExtractor.extract(archive, target, false);
        assertArrayEquals("tensors".getBytes(), Files.readAllBytes(target.resolve("adapter.pt")));
        assertEquals("{}", Files.readString(target.resolve("sub/train_state.json")));
    }

    @Test
    void hostileEntriesAreRefusedAndNothingIsLeftBehind() throws Exception {
        Path outside = dir.resolve("victim.txt");
        List<Consumer<TarArchiveOutputStream>> hostile = List.of(
                tar -> file(tar, "final/../../victim.txt", "pwned"),
                tar -> file(tar, "/etc/evil", "pwned"),
                tar -> file(tar, "final/a\\..\\..\\victim.txt", "pwned"),
                tar -> link(tar, "final/link", "../../victim.txt", TarArchiveEntry.LF_SYMLINK),
                tar -> link(tar, "final/hard", "/etc/passwd", TarArchiveEntry.LF_LINK),
                tar -> {
                    file(tar, "final/ok", "fine");
                    file(tar, "other/file", "a second top folder");
                },
                tar -> file(tar, "toplevel.txt", "not in a folder"),
                tar -> {
                    var fifo = new TarArchiveEntry("final/pipe", TarArchiveEntry.LF_FIFO);
                    put(tar, fifo, new byte[0]);
                });
        for (int i = 0; i < hostile.size(); i++) {
            Path archive = archive(hostile.get(i));
            Path target = dir.resolve("t" + i);
            var e = assertThrows(CliError.class, () -> ArchiveExtractor.extract(archive, target, false), "case " + i);
            assertEquals("ERR_OUTPUT_INVALID", e.code(), e.getMessage());
            assertTrue(e.getMessage().contains("nothing was extracted"), e.getMessage());
            assertFalse(Files.exists(target), "case " + i + ": no target folder");
            assertFalse(Files.exists(outside), "case " + i + ": nothing written outside");
            try (Stream<Path> left = Files.list(dir)) {
                assertTrue(left.noneMatch(p -> p.getFileName().toString().contains(".partial-")), "case " + i + ": no partial folder left");
            }
        }
    }

    @Test
    void anExistingTargetIsRefusedWithoutForceAndReplacedWithIt() throws Exception {
        Path archive = archive(tar -> file(tar, "step-4/step-4.hlora", "new"));
        Path target = dir.resolve("step-4");
        Files.createDirectories(target);
        Files.writeString(target.resolve("old.txt"), "old");
        var e = assertThrows(CliError.class, () -> ArchiveExtractor.extract(archive, target, false));
        assertEquals("ERR_OPTION_INVALID", e.code());
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        assertEquals("old", Files.readString(target.resolve("old.txt")));
        ArchiveExtractor.extract(archive, target, true);
        assertFalse(Files.exists(target.resolve("old.txt")));
        assertEquals("new", Files.readString(target.resolve("step-4.hlora")));
    }

    @Test
    void aTargetThatIsALinkIsReplacedNotFollowed() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("keep.txt"), "keep");
        Path target = Files.createSymbolicLink(dir.resolve("out"), elsewhere);
        ArchiveExtractor.extract(archive(tar -> file(tar, "x/f", "data")), target, true);
        assertFalse(Files.isSymbolicLink(target));
        assertEquals("keep", Files.readString(elsewhere.resolve("keep.txt")), "the link's target is untouched");
        assertEquals("data", Files.readString(target.resolve("f")));
    }

    private Path archive(Consumer<TarArchiveOutputStream> entries) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            entries.accept(tar);
        }
        Path file = Files.createTempFile(dir, "archive", ".tar.gz");
        Files.write(file, bytes.toByteArray());
        return file;
    }

    private static void folder(TarArchiveOutputStream tar, String name) {
        put(tar, new TarArchiveEntry(name), new byte[0]);
    }

    private static void file(TarArchiveOutputStream tar, String name, String content) {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        var e = new TarArchiveEntry(name, true);
        e.setSize(b.length);
        put(tar, e, b);
    }

    private static void link(TarArchiveOutputStream tar, String name, String to, byte type) {
        var e = new TarArchiveEntry(name, type);
        e.setLinkName(to);
        put(tar, e, new byte[0]);
    }

    private static void put(TarArchiveOutputStream tar, TarArchiveEntry e, byte[] content) {
        try {
            tar.putArchiveEntry(e);
            tar.write(content);
            tar.closeArchiveEntry();
        } catch (IOException x) {
            throw new java.io.UncheckedIOException(x);
        }
    }
}
