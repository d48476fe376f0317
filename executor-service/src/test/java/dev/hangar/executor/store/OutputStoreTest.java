package dev.hangar.executor.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputStoreTest {

    @Test
    void contentIdIsTheSha256OfTheBytes(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "abc");
        assertEquals("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", OutputStore.cid(file));
    }

    @Test
    void mimeFollowsTheExtension() {
        assertEquals("application/json", OutputStore.mime("out/output.json"));
        assertEquals("image/png", OutputStore.mime("thumb.PNG"));
        assertEquals("application/octet-stream", OutputStore.mime("weights"));
        assertEquals("application/octet-stream", OutputStore.mime("x.unknownext"));
    }
}
