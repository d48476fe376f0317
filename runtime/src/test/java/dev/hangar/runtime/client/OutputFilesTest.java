package dev.hangar.runtime.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File outputs (files.py): returned Paths are copied into the output folder and named relative to it. */
class OutputFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static RuntimeProcess runtime;

    @BeforeAll
    static void start() throws Exception {
        runtime = RuntimeProcess.start(dir, "files", Map.of()).awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        runtime.close();
    }

    private static Prediction run(String how) throws Exception {
        Prediction prediction = runtime.client.predict(null, JSON.readTree("{\"how\":\"" + how + "\"}"), e -> { });
        assertTrue(prediction.succeeded(), prediction.raw().toString());
        return prediction;
    }

    @Test
    void aReturnedPathIsCopiedIntoTheOutputFolder() throws Exception {
        Prediction prediction = run("path");

        assertEquals("image.bin", prediction.output().asText());
        byte[] expected = new byte[256];
        for (int i = 0; i < 256; i++) {
            expected[i] = (byte) i;
        }
        assertArrayEquals(expected, Files.readAllBytes(runtime.outputs.resolve("image.bin")));
        assertEquals(JSON.valueToTree(List.of("image.bin")), prediction.raw().path("output_files"));
        assertFalse(Files.exists(runtime.outputs.resolve("output.json")), "a file output needs no output.json");
    }

    @Test
    void pathsInsideADictKeepTheirNamesWithoutClobberingEachOther() throws Exception {
        Prediction prediction = run("dict");

        assertEquals(JSON.readTree("{\"parts\":[\"part.txt\",\"part-1.txt\"],\"count\":2}"), prediction.output());
        assertEquals("first\n", Files.readString(runtime.outputs.resolve("part.txt")));
        assertEquals("second\n", Files.readString(runtime.outputs.resolve("part-1.txt")));
    }

    @Test
    void filesWrittenInPlaceAreOutputsToo() throws Exception {
        Prediction prediction = run("in_place");

        assertTrue(prediction.output().isNull());
        assertEquals(JSON.valueToTree(List.of("report.txt")), prediction.raw().path("output_files"));
        assertEquals("written by the processor\n", Files.readString(runtime.outputs.resolve("report.txt")));
    }
}
