package dev.hangar.executor.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hangar.contracts.ArtifactPath;
import dev.hangar.contracts.ContentId;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.OutputIndex;
import dev.hangar.contracts.OutputRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputStoreTest {
    static final String PREFIX = "/artifacts/outputs/tests-echo-v1/store-0001/";
    private final RecordingS3 s3 = new RecordingS3();
    private final OutputStore store = new OutputStore(s3.client(), () -> "hangar-artifacts");

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

    @Test
    void everyOutputIsStoredUnderThePrefixAndTheIndexLast(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("plots"));
        Files.writeString(dir.resolve("summary.md"), "# hi");
        Files.writeString(dir.resolve("plots/a.png"), "png");
        Files.writeString(dir.resolve(OutputIndex.FILE), "{\"forged\":true}");
        var seen = new ArrayList<OutputRef>();

        List<OutputRef> outputs = store.upload(dir, PREFIX, "store-0001", seen::add);

        assertEquals(List.of(PREFIX + "plots/a.png", PREFIX + "summary.md"), outputs.stream().map(OutputRef::path).toList(),
                "in path order; the processor's own outputs.json is not an output");
        assertEquals(outputs, seen, "each output is announced as it lands");
        assertEquals(new OutputRef(PREFIX + "summary.md", ContentId.of("# hi".getBytes(StandardCharsets.UTF_8)), 4, "text/markdown"),
                outputs.get(1));
        String indexKey = ArtifactPath.toKey(OutputIndex.pathUnder(PREFIX));
        assertEquals(indexKey, s3.writes.getLast(), "outputs.json is written last");
        assertEquals(3, s3.writes.size());
        assertEquals(new OutputIndex("store-0001", outputs), Json.read(new String(s3.objects.get(indexKey), StandardCharsets.UTF_8),
                OutputIndex.class));
        assertEquals("application/json", s3.contentTypes.get(indexKey));
        assertEquals("image/png", s3.contentTypes.get(ArtifactPath.toKey(PREFIX + "plots/a.png")));
    }

    @Test
    void noOutputsStillWritesAnEmptyIndex(@TempDir Path dir) {
        assertEquals(List.of(), store.upload(dir, PREFIX, "store-0002", ref -> { }));
        assertEquals(List.of(ArtifactPath.toKey(PREFIX + OutputIndex.FILE)), s3.writes);
    }

    @Test
    void aDownloadedInputMustMatchItsContentId(@TempDir Path dir) {
        String good = "/artifacts/inputs/" + ContentId.of("hello".getBytes(StandardCharsets.UTF_8)) + "/doc.txt";
        String forged = "/artifacts/inputs/sha256:" + "0".repeat(64) + "/doc.txt";
        s3.objects.put(ArtifactPath.toKey(good), "hello".getBytes(StandardCharsets.UTF_8));
        s3.objects.put(ArtifactPath.toKey(forged), "hello".getBytes(StandardCharsets.UTF_8));

        store.download(good, dir.resolve("in/doc.txt"));
        var e = assertThrows(HangarException.class, () -> store.download(forged, dir.resolve("bad/doc.txt")));

        assertEquals(ErrorCode.ERR_ATTACHMENT_INVALID, e.code());
        assertFalse(Files.exists(dir.resolve("bad/doc.txt")), "bytes that do not match are not left for the processor");
        assertEquals(ErrorCode.ERR_ATTACHMENT_INVALID, assertThrows(HangarException.class,
                () -> store.download("/artifacts/inputs/sha256:" + "1".repeat(64) + "/x.txt", dir.resolve("x.txt"))).code());
    }
}
