package dev.hangar.runtime.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.SpecValidator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** examples/processors/textstats on the host runtime: a real file in, stats.json and summary.md out. */
class TextStatsExampleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path TEXTSTATS = RuntimeProcess.EXAMPLES.resolve("textstats");
    static final String STATS = "stats.json";
    static final String SUMMARY = "summary.md";
    // Counted by hand and with wc/grep: the title runs into the first sentence; "3.14" is two words
    // and ends nothing; 'coffee...' and 'clear."' end sentences; the last line has no newline.
    static final String EXPECTED_SUMMARY = """
            # field-notes.txt

            66 words (46 distinct) in 8 sentences and 8 lines; 349 characters, 351 bytes.
            Average word length 4.05 characters; about 0.33 minutes to read at 200 words per minute.

            ## Top 5 words

            | rank | word | count |
            |---:|---|---:|
            | 1 | the | 14 |
            | 2 | a | 3 |
            | 3 | and | 2 |
            | 4 | clear | 2 |
            | 5 | hangar | 2 |
            """;

    @TempDir
    static Path dir;
    static RuntimeProcess runtime;
    static Path notes;

    @BeforeAll
    static void start() throws Exception {
        notes = Path.of(TextStatsExampleTest.class.getResource("/examples/field-notes.txt").toURI());
        runtime = RuntimeProcess.startFile(dir, TEXTSTATS.resolve("predict.py"), Map.of("HANGAR_MODE", "mock"))
                .awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        runtime.close();
    }

    static Prediction run(Path document, Integer top, List<StreamEvent> events) throws Exception {
        var input = JSON.createObjectNode().put("document", document.toString());
        if (top != null) {
            input.put("top", top);
        }
        return runtime.client.predict(null, input, events::add);
    }

    static JsonNode stats() throws Exception {
        return JSON.readTree(runtime.outputs.resolve(STATS).toFile());
    }

    @Test
    void countsAgreeWithAnIndependentCountOfTheSameFile() throws Exception {
        List<StreamEvent> events = new ArrayList<>();
        Prediction prediction = run(notes, 5, events);

        assertTrue(prediction.succeeded(), prediction.raw().toString());
        assertEquals(JSON.readTree("[\"stats.json\",\"summary.md\"]"), prediction.output());
        assertEquals(JSON.readTree("[\"stats.json\",\"summary.md\"]"), prediction.raw().path("output_files"));
        assertFalse(Files.exists(runtime.outputs.resolve("output.json")), "the outputs are the two files only");

        byte[] bytes = Files.readAllBytes(notes);
        String text = new String(bytes, StandardCharsets.UTF_8);
        Matcher words = Pattern.compile("[\\p{L}\\p{N}]+").matcher(text);
        Map<String, Integer> frequencies = new TreeMap<>();
        int wordCount = 0;
        int wordChars = 0;
        while (words.find()) {
            wordCount++;
            wordChars += words.group().codePointCount(0, words.group().length());
            frequencies.merge(words.group().toLowerCase(Locale.ROOT), 1, Integer::sum);
        }
        List<Map.Entry<String, Integer>> top = frequencies.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(5).toList();

        JsonNode stats = stats();
        assertEquals(bytes.length, stats.path("bytes").asInt());
        assertEquals(text.codePointCount(0, text.length()), stats.path("characters").asInt());
        assertEquals(text.chars().filter(c -> c == '\n').count() + 1, stats.path("lines").asLong(), "+1: no final newline");
        assertEquals(wordCount, stats.path("words").asInt());
        assertEquals(frequencies.size(), stats.path("unique_words").asInt());
        assertEquals(Math.round(100.0 * wordChars / wordCount) / 100.0, stats.path("average_word_length").asDouble());
        assertEquals(Math.round(100.0 * wordCount / 200) / 100.0, stats.path("reading_minutes").asDouble());
        assertEquals(8, stats.path("sentences").asInt());
        assertEquals("field-notes.txt", stats.path("document").asText());
        for (int i = 0; i < top.size(); i++) {
            assertEquals(top.get(i).getKey(), stats.path("top_words").path(i).path("word").asText());
            assertEquals(top.get(i).getValue(), stats.path("top_words").path(i).path("count").asInt());
        }
        assertEquals(5, stats.path("top_words").size());
        // The same numbers, as pinned by hand.
        assertEquals(List.of(351, 349, 8, 66, 46), List.of(stats.path("bytes").asInt(), stats.path("characters").asInt(),
                stats.path("lines").asInt(), stats.path("words").asInt(), stats.path("unique_words").asInt()));
        assertEquals(EXPECTED_SUMMARY, Files.readString(runtime.outputs.resolve(SUMMARY)));

        assertEquals("read 351 bytes, 66 words from field-notes.txt\n", prediction.logs());
        List<String> phases = events.stream().filter(e -> e.type().equals("progress"))
                .map(e -> e.data().path("message").asText()).toList();
        assertEquals(List.of("reading field-notes.txt", "ranking words", "writing stats.json and summary.md", "done"),
                phases);
    }

    @Test
    void theSameFileGivesTheSameBytes() throws Exception {
        assertTrue(run(notes, null, new ArrayList<>()).succeeded());
        byte[] stats = Files.readAllBytes(runtime.outputs.resolve(STATS));
        byte[] summary = Files.readAllBytes(runtime.outputs.resolve(SUMMARY));
        assertTrue(run(notes, null, new ArrayList<>()).succeeded());

        assertArrayEquals(stats, Files.readAllBytes(runtime.outputs.resolve(STATS)));
        assertArrayEquals(summary, Files.readAllBytes(runtime.outputs.resolve(SUMMARY)));
        String json = new String(stats, StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\n  \"average_word_length\": 4.05,\n  \"bytes\": 351,\n"), "sorted keys, 2-space indent");
        assertTrue(json.endsWith("\n}\n"), "a trailing newline");
        assertEquals(10, stats().path("top_words").size(), "top defaults to 10");
    }

    @Test
    void invalidUtf8CountsAsReplacementCharacters(@TempDir Path docs) throws Exception {
        Path odd = docs.resolve("odd.txt");
        // "café ok" then a stray 0xFF byte, a full stop and a newline.
        Files.write(odd, new byte[] {'c', 'a', 'f', (byte) 0xC3, (byte) 0xA9, ' ', 'o', 'k', (byte) 0xFF, '.', '\n'});

        Prediction prediction = run(odd, 3, new ArrayList<>());

        assertTrue(prediction.succeeded(), prediction.raw().toString());
        assertEquals(JSON.readTree("""
                {"average_word_length":3.0,"bytes":11,"characters":10,"document":"odd.txt","lines":1,
                 "reading_minutes":0.01,"sentences":1,"top_words":[{"count":1,"word":"café"},{"count":1,"word":"ok"}],
                 "unique_words":2,"words":2,"words_per_minute":200}"""), stats());
    }

    @Test
    void aMissingDocumentFailsAndSaysSo() throws Exception {
        Path missing = dir.resolve("no-such-file.txt");

        Prediction prediction = run(missing, null, new ArrayList<>());

        assertTrue(prediction.failed());
        assertEquals("ValueError: document " + missing + " not found", prediction.error());
        assertTrue(prediction.raw().path("output_files").isEmpty());
    }

    @Test
    void topOutsideOneToAHundredFails() throws Exception {
        Prediction prediction = run(notes, 0, new ArrayList<>());

        assertTrue(prediction.failed());
        assertEquals("ValueError: top must be an integer from 1 to 100, got 0", prediction.error());
    }

    @Test
    void hangarYamlIsAValidSpecWhoseSchemaIsTheRuntimes() throws Exception {
        ProcessorSpec spec = Json.YAML.readValue(TEXTSTATS.resolve("hangar.yaml").toFile(), ProcessorSpec.class);
        SpecValidator.requireValidSpec(spec);

        assertEquals("examples/textstats@1", spec.ref().toString());
        assertEquals("127.0.0.1:5000/examples/textstats", spec.image());
        assertEquals(new ProcessorSpec.Resources(0.5, 256, 0, 120), spec.runtime());
        assertTrue(spec.secrets().isEmpty());
        assertTrue(spec.digests().isEmpty(), "digests are pinned by hangar push, not written by hand");
        assertEquals(List.of("stats.json:application/json", "summary.md:text/markdown"),
                spec.outputs().stream().map(o -> o.name() + ":" + o.mime()).toList());
        assertEquals(spec.inputsSchema(), runtime.client.openapi().path("components").path("schemas").path("Input"),
                "hangar.yaml and predict.py declare the same input schema");
        assertEquals("hangar-file", spec.inputsSchema().path("properties").path("document").path("format").asText(),
                "the CLI uploads a property of this format as a file");

        for (String good : List.of("{\"document\":\"/hangar/io/inputs/c1/a.txt\"}",
                "{\"document\":\"/hangar/io/inputs/c1/a.txt\",\"top\":100}")) {
            assertTrue(SpecValidator.inputErrors(spec.inputsSchema(), JSON.readTree(good)).isEmpty(), "accepts " + good);
        }
        for (String bad : List.of("{}", "{\"document\":7}", "{\"document\":\"a.txt\",\"top\":0}",
                "{\"document\":\"a.txt\",\"top\":101}", "{\"document\":\"a.txt\",\"top\":\"5\"}",
                "{\"document\":\"a.txt\",\"extra\":1}")) {
            assertFalse(SpecValidator.inputErrors(spec.inputsSchema(), JSON.readTree(bad)).isEmpty(), "rejects " + bad);
        }
    }
}
