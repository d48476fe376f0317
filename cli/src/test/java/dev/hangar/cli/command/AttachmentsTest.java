package dev.hangar.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.cli.error.CliError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttachmentsTest {
    @TempDir
    Path tmp;

    @Test
    void namesMapToFilesInOrderRelativeToTheWorkingDirectory() throws Exception {
        Path a = Files.writeString(tmp.resolve("a.txt"), "a");
        Files.createDirectories(tmp.resolve("sub"));
        Path b = Files.writeString(tmp.resolve("sub/b=c.bin"), "b");
        Map<String, Path> files = Attachments.parse(List.of("first=a.txt", "second=" + b), tmp);
        assertEquals(List.of("first", "second"), List.copyOf(files.keySet()));
        assertEquals(a, files.get("first"));
        assertEquals(b, files.get("second"), "only the first '=' separates");
        assertEquals(Map.of(), Attachments.parse(null, tmp));
    }

    @Test
    void aMissingFileIsRefusedNamingIt() {
        CliError e = assertThrows(CliError.class, () -> Attachments.parse(List.of("doc=nope.pdf"), tmp));
        assertEquals("ERR_ATTACHMENT_INVALID", e.code());
        assertEquals("--attach doc=nope.pdf: no such file: " + tmp.resolve("nope.pdf"), e.getMessage());
    }

    @Test
    void aFolderIsNotAnAttachment() {
        CliError e = assertThrows(CliError.class, () -> Attachments.parse(List.of("doc=" + tmp), tmp));
        assertEquals("ERR_ATTACHMENT_INVALID", e.code());
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void theFormIsNameEqualsPath() {
        for (String bad : List.of("doc", "=a.txt", "doc=")) {
            CliError e = assertThrows(CliError.class, () -> Attachments.parse(List.of(bad), tmp));
            assertEquals("ERR_OPTION_INVALID", e.code());
            assertTrue(e.getMessage().startsWith("--attach takes NAME=PATH"), e.getMessage());
        }
    }

    @Test
    void aNameGivenTwiceIsRefused() throws Exception {
        Files.writeString(tmp.resolve("a.txt"), "a");
        CliError e = assertThrows(CliError.class, () -> Attachments.parse(List.of("x=a.txt", "x=a.txt"), tmp));
        assertEquals("--attach x is given twice", e.getMessage());
        Map<String, Path> into = new LinkedHashMap<>(Map.of("doc", tmp));
        CliError clash = assertThrows(CliError.class, () -> Attachments.merge(into, Map.of("doc", tmp), "a file input"));
        assertTrue(clash.getMessage().startsWith("attachment 'doc' is given by --attach and by a file input"));
    }

    @Test
    void theLocalContentIdIsTheGatewaysFormat() throws Exception {
        Path f = Files.writeString(tmp.resolve("foo"), "foo");
        assertEquals("sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", Attachments.sha256(f));
    }
}
