package dev.hangar.cli.service;

import dev.hangar.contracts.ContentId;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.OutputRef;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Saving outputs: paths, refusals and verification, against local byte streams. */
class OutputDownloaderTest {
    static final String PREFIX = "/artifacts/outputs/examples-echo-v1/r-1/";

    @TempDir
    Path tmp;

    final Map<String, byte[]> stored = new HashMap<>();
    final List<String> opened = new ArrayList<>();
    final List<Long> progress = new ArrayList<>();

    OutputDownloader downloader() {
        return new OutputDownloader(path -> {
            opened.add(path);
            byte[] bytes = stored.get(path);
            return new GatewayClient.Download(new ByteArrayInputStream(bytes), bytes.length);
        }, (label, size) -> new OutputDownloader.Progress() {
            @Override
            public void advance(long bytes) {
                progress.add(bytes);
            }
        });
    }

    OutputRef output(String relative, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        stored.put(PREFIX + relative, bytes);
        return new OutputRef(PREFIX + relative, ContentId.of(bytes), bytes.length, "text/plain");
    }

    static Envelope envelope(String index, OutputRef... outputs) {
        return new Envelope(dev.hangar.contracts.RunStatus.SUCCESS, "r-1", List.of(outputs), index, null, null);
    }

    @Test
    void everyOutputKeepsItsPathBelowTheWritePrefix() throws Exception {
        Envelope env = envelope(PREFIX + "outputs.json", output("output.json", "{}"), output("img/a/1.png", "png"));
        Path dir = tmp.resolve("out");
        List<OutputDownloader.Saved> saved = downloader().saveAll(env, dir);
        assertEquals("{}", Files.readString(dir.resolve("output.json")));
        assertEquals("png", Files.readString(dir.resolve("img/a/1.png")));
        assertEquals(List.of(dir.resolve("output.json").toAbsolutePath(), dir.resolve("img/a/1.png").toAbsolutePath()),
                saved.stream().map(OutputDownloader.Saved::file).toList());
        assertEquals(List.of("output.json", "img"), list(dir), "no temporary files are left");
    }

    @Test
    void withoutAnIndexPathsAreRelativeToTheFolderTheOutputsShare() {
        assertEquals(PREFIX, OutputDownloader.base(envelope(null,
                new OutputRef(PREFIX + "a/x", "c", 1, null), new OutputRef(PREFIX + "a2/y", "c", 1, null))));
        assertEquals(PREFIX + "a/", OutputDownloader.base(envelope(null, new OutputRef(PREFIX + "a/x", "c", 1, null))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape.txt", "a/../../escape.txt", "./x", "a//b", "a/", "..", "a\\..\\b", "x\u0000y"})
    void aTraversingPathIsRefused(String relative) {
        CliError e = assertThrows(CliError.class, () -> OutputDownloader.target(tmp.resolve("out"), relative));
        assertEquals("ERR_WRITE_PREFIX_TRAVERSAL", e.code());
        assertTrue(e.getMessage().startsWith("refusing to save output"), e.getMessage());
    }

    @Test
    void anOutputOutsideTheWritePrefixIsRefused() {
        CliError e = assertThrows(CliError.class, () -> OutputDownloader.relative("/artifacts/outputs/other/x", PREFIX));
        assertTrue(e.getMessage().contains("not below the run's write prefix " + PREFIX), e.getMessage());
        assertThrows(CliError.class, () -> OutputDownloader.relative(PREFIX, PREFIX));
    }

    @Test
    void nothingIsWrittenWhenAnyOutputWouldEscape() {
        OutputRef good = output("good.txt", "good");
        OutputRef evil = output("../../../../../../tmp/evil.txt", "evil");
        Path dir = tmp.resolve("out");
        CliError e = assertThrows(CliError.class, () -> downloader().saveAll(envelope(PREFIX + "outputs.json", good, evil), dir));
        assertEquals("ERR_WRITE_PREFIX_TRAVERSAL", e.code());
        assertEquals(List.of(), opened, "paths are checked before any download");
        assertFalse(Files.exists(dir));
    }

    @Test
    void aSymbolicLinkInTheFolderCannotLeadOutside() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("out"));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(dir.resolve("img"), elsewhere);
        CliError e = assertThrows(CliError.class,
                () -> downloader().saveAll(envelope(PREFIX + "outputs.json", output("img/x.png", "x")), dir));
        assertTrue(e.getMessage().contains("a symbolic link in " + dir + " leads outside it"), e.getMessage());
        assertEquals(List.of(), list(elsewhere));
    }

    @Test
    void aVerifiedStreamBecomesTheFile() throws Exception {
        byte[] bytes = new byte[200_000];
        new java.util.Random(1).nextBytes(bytes);
        Path target = tmp.resolve("big.bin");
        Files.writeString(target, "an older version");
        OutputDownloader.write(new ByteArrayInputStream(bytes), target,
                new OutputRef(PREFIX + "big.bin", ContentId.of(bytes), bytes.length, null), OutputDownloader.Progress.NONE);
        assertArrayEquals(bytes, Files.readAllBytes(target));
        assertEquals(List.of("big.bin"), list(tmp));
    }

    @Test
    void aSha256MismatchIsAnErrorAndLeavesNoFile() throws Exception {
        byte[] bytes = "tampered".getBytes(StandardCharsets.UTF_8);
        OutputRef expected = new OutputRef(PREFIX + "x.txt", ContentId.of("original".getBytes(StandardCharsets.UTF_8)),
                bytes.length, null);
        Path target = tmp.resolve("x.txt");
        CliError e = assertThrows(CliError.class,
                () -> OutputDownloader.write(new ByteArrayInputStream(bytes), target, expected, OutputDownloader.Progress.NONE));
        assertEquals("ERR_INTERNAL", e.code());
        assertTrue(e.getMessage().contains("does not match its content id: expected " + expected.cid()), e.getMessage());
        assertEquals(List.of(), list(tmp), "neither the file nor its partial download remains");
    }

    @Test
    void aShortDownloadIsAnErrorEvenIfTheServerSaysNothing() {
        byte[] bytes = "complete".getBytes(StandardCharsets.UTF_8);
        OutputRef expected = new OutputRef(PREFIX + "x", ContentId.of(bytes), bytes.length, null);
        assertThrows(CliError.class, () -> OutputDownloader.write(new ByteArrayInputStream(bytes, 0, 4), tmp.resolve("x"),
                expected, OutputDownloader.Progress.NONE));
        assertEquals(List.of(), list(tmp));
    }

    @Test
    void aStreamThatBreaksOffIsUnavailableAndLeavesNoFile() {
        InputStream broken = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (n++ < 10) {
                    return 'x';
                }
                throw new IOException("connection reset");
            }
        };
        OutputRef expected = new OutputRef(PREFIX + "x", "sha256:00", 100, null);
        CliError e = assertThrows(CliError.class,
                () -> OutputDownloader.write(broken, tmp.resolve("x"), expected, OutputDownloader.Progress.NONE));
        assertEquals("ERR_UNAVAILABLE", e.code());
        assertTrue(e.getMessage().contains("broke off after 10 bytes: connection reset"), e.getMessage());
        assertEquals(List.of(), list(tmp));
    }

    @Test
    void saveFirstWritesOnlyTheFirstOutputToTheGivenFile() throws Exception {
        Envelope env = envelope(PREFIX + "outputs.json", output("a.txt", "first"), output("b.txt", "second"));
        Path file = tmp.resolve("deep/er/result.txt");
        downloader().saveFirst(env, file);
        assertEquals("first", Files.readString(file));
        assertEquals(List.of(PREFIX + "a.txt"), opened);
        assertEquals(List.of(5L), progress);
    }

    @Test
    void saveFirstWithoutOutputsIsAnError() {
        CliError e = assertThrows(CliError.class, () -> downloader().saveFirst(envelope(null), tmp.resolve("x")));
        assertTrue(e.getMessage().contains("no outputs"), e.getMessage());
    }

    static List<String> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted(java.util.Comparator.reverseOrder()).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
