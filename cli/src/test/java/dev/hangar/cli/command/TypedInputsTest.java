package dev.hangar.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code -i key=value} typed by a processor's input schema. */
class TypedInputsTest {
    @TempDir
    Path tmp;

    static final String SCHEMA = """
            {"type": "object", "additionalProperties": false,
             "properties": {
               "prompt":  {"type": "string"},
               "steps":   {"type": "integer", "minimum": 1},
               "scale":   {"type": "number"},
               "stream":  {"type": "boolean"},
               "tags":    {"type": "array", "items": {"type": "string"}},
               "extra":   {"type": "object"},
               "seed":    {"type": ["integer", "null"]},
               "schema":  {"const": "v1"},
               "role":    {"enum": ["system", "user"]},
               "doc":     {"type": "string", "format": "hangar-file"},
               "image":   {"$ref": "#/$defs/file"},
               "top.k":   {"type": "integer"},
               "params":  {"type": "object", "additionalProperties": false,
                           "properties": {"temperature": {"type": "number"},
                                          "mask": {"type": "string", "format": "hangar-file"},
                                          "sampler": {"type": "object", "properties": {"name": {"type": "string"}}}}},
               "labels":  {"type": "object", "additionalProperties": {"type": "integer"}}
             },
             "$defs": {"file": {"type": "string", "format": "hangar-file"}}}
            """;

    ObjectNode inputs = Json.MAPPER.createObjectNode();

    Map<String, Path> apply(String schema, String... assignments) {
        try {
            return TypedInputs.apply(schema == null ? null : Json.MAPPER.readTree(schema), TypedInputs.parse(List.of(assignments)),
                    inputs, tmp);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    JsonNode value(String assignment) {
        apply(SCHEMA, assignment);
        String key = assignment.substring(0, assignment.indexOf('='));
        return inputs.get(key);
    }

    CliError failure(String... assignments) {
        return assertThrows(CliError.class, () -> apply(SCHEMA, assignments));
    }

    @Test
    void stringsAreTakenAsIs() {
        assertEquals("\"  a = b  \"", value("prompt=  a = b  ").toString());
        assertEquals("\"42\"", value("prompt=42").toString(), "a string stays a string even when it looks like a number");
        assertEquals("\"@home\"", value("prompt=@@home").toString(), "@@ is a literal @");
    }

    @Test
    void atFileReadsTheFilesText() throws Exception {
        Files.writeString(tmp.resolve("prompt.txt"), "line 1\nline 2 ✓\n");
        assertEquals("line 1\nline 2 ✓\n", value("prompt=@prompt.txt").asText());
        Files.writeString(tmp.resolve("n.txt"), " 42\n");
        assertEquals("42", value("steps=@n.txt").toString(), "a typed value from a file is trimmed");
        Files.writeString(tmp.resolve("tags.json"), "[\"a\",\n \"b\"]\n");
        assertEquals("[\"a\",\"b\"]", value("tags=@tags.json").toString());
    }

    @Test
    void aMissingAtFileIsAnOptionError() {
        CliError e = failure("prompt=@nope.txt");
        assertEquals("ERR_OPTION_INVALID", e.code());
        assertTrue(e.getMessage().contains("no such file: " + tmp.resolve("nope.txt")), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"20, 20", "-3, -3", "+7, 7", "1e3, 1000", "2.0, 2", "12345678901234567890, 12345678901234567890"})
    void integers(String text, String json) {
        assertEquals(json, value("steps=" + text).toString());
    }

    @ParameterizedTest
    @CsvSource({"abc", "1.5", "0x10", "''", "'1,000'", "NaN"})
    void aNonIntegerNamesTheKeyAndTheType(String text) {
        CliError e = failure("steps=" + text);
        assertEquals("ERR_INPUT_INVALID", e.code());
        assertTrue(e.getMessage().startsWith("-i steps: 'steps' expects an integer, got '" + text + "'"), e.getMessage());
        assertEquals("/steps", e.errors().get(0).path());
    }

    @ParameterizedTest
    @CsvSource({"0.5, 0.5", "3, 3", "-1.25e2, -125", "1e-3, 0.001"})
    void numbers(String text, String json) {
        assertEquals(json, value("scale=" + text).toString());
    }

    @Test
    void aNonNumberIsRefused() {
        CliError e = failure("scale=fast");
        assertTrue(e.getMessage().contains("'scale' expects a number, got 'fast'"), e.getMessage());
        assertTrue(failure("scale=Infinity").getMessage().contains("expects a number"));
    }

    @ParameterizedTest
    @CsvSource({"true, true", "TRUE, true", "yes, true", "Yes, true", "1, true", "false, false", "no, false", "0, false", "NO, false"})
    void booleans(String text, boolean expected) {
        assertEquals(expected, value("stream=" + text).booleanValue());
        assertTrue(value("stream=" + text).isBoolean());
    }

    @Test
    void aNonBooleanSaysWhichWordsWork() {
        CliError e = failure("stream=maybe");
        assertTrue(e.getMessage().contains("'stream' expects a boolean (true/false, yes/no or 1/0), got 'maybe'"), e.getMessage());
    }

    @Test
    void arraysAndObjectsAreJson() {
        assertEquals("[\"a\",1]", value("tags=[\"a\", 1]").toString());
        assertEquals("{\"k\":[true]}", value("extra={\"k\": [true]}").toString());
    }

    @Test
    void jsonOfTheWrongShapeOrMalformedIsRefused() {
        assertTrue(failure("tags={\"a\":1}").getMessage().contains("'tags' expects an array, got '{\"a\":1}'"));
        assertTrue(failure("extra=[1]").getMessage().contains("'extra' expects an object"));
        assertTrue(failure("extra=3").getMessage().contains("'extra' expects an object"));
        CliError e = failure("tags=[\"a\",");
        assertEquals("ERR_INPUT_INVALID", e.code());
        assertTrue(e.getMessage().startsWith("malformed JSON in -i tags=[\"a\", (an array) at line 1, column"), e.getMessage());
    }

    @Test
    void aUnionOfTypesTriesTheMostParticularFirst() {
        assertEquals("7", value("seed=7").toString());
        assertEquals("null", value("seed=null").toString());
        CliError e = failure("seed=abc");
        assertTrue(e.getMessage().contains("'seed' expects one of integer, null, got 'abc'"), e.getMessage());
    }

    @Test
    void constAndEnumWithoutTypeTellTheType() {
        assertEquals("\"v1\"", value("schema=v1").toString());
        assertEquals("\"user\"", value("role=user").toString());
    }

    @Test
    void anUnknownKeyNamesTheAllowedOnes() {
        CliError e = failure("promt=hi");
        assertEquals("ERR_INPUT_INVALID", e.code());
        assertTrue(e.getMessage().startsWith("-i promt: the processor has no input 'promt'; allowed keys: doc, extra, image, "
                + "labels, params, prompt, role, scale, schema, seed, steps, stream, tags, top.k"), e.getMessage());
    }

    @Test
    void dottedKeysSetNestedInputs() {
        apply(SCHEMA, "params.temperature=0.7", "params.sampler.name=ddim", "labels.cat=3");
        assertEquals("{\"params\":{\"temperature\":0.7,\"sampler\":{\"name\":\"ddim\"}},\"labels\":{\"cat\":3}}",
                inputs.toString());
    }

    @Test
    void aDottedKeyMatchesAPropertyWithADotFirst() {
        apply(SCHEMA, "top.k=5");
        assertEquals("{\"top.k\":5}", inputs.toString());
    }

    @Test
    void anUnknownNestedKeyNamesItsObjectsKeys() {
        CliError e = failure("params.temp=0.7");
        assertTrue(e.getMessage().startsWith("-i params.temp: the processor has no input 'temp' in 'params'; "
                + "allowed keys: mask, sampler, temperature"), e.getMessage());
        assertEquals("/params", e.errors().get(0).path());
        CliError typed = failure("params.temperature=hot");
        assertEquals("/params/temperature", typed.errors().get(0).path());
        assertTrue(failure("labels.cat=many").getMessage().contains("'labels.cat' expects an integer"));
    }

    @Test
    void withoutASchemaOrInAnOpenObjectValuesAreStrings() {
        apply(null, "n=3", "a.b=true");
        assertEquals("{\"n\":\"3\",\"a\":{\"b\":\"true\"}}", inputs.toString());
        inputs.removeAll();
        apply("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}", "n=3", "other=3");
        assertEquals("{\"n\":3,\"other\":\"3\"}", inputs.toString());
    }

    @Test
    void assignmentsWinOverTheInputsTheyAreMergedInto() {
        inputs.put("prompt", "from --inputs-json");
        inputs.put("keep", 1);
        inputs.putObject("params").put("temperature", 0.1).put("seed", 9);
        apply(SCHEMA, "prompt=from -i", "params.temperature=0.9", "steps=1", "steps=2");
        assertEquals("{\"prompt\":\"from -i\",\"keep\":1,\"params\":{\"temperature\":0.9,\"seed\":9},\"steps\":2}",
                inputs.toString());
    }

    @Test
    void aFileInputIsUploadedAndReferencedAsAnAttachment() throws Exception {
        Path pdf = Files.write(tmp.resolve("report.pdf"), new byte[] {1, 2, 3});
        Path png = Files.write(tmp.resolve("cat.png"), new byte[] {4});
        Path mask = Files.write(tmp.resolve("mask.png"), new byte[] {5});
        Map<String, Path> files = apply(SCHEMA, "doc=@report.pdf", "image=@" + png, "params.mask=@mask.png");
        assertEquals(Map.of("doc", pdf, "image", png, "params.mask", mask), files);
        assertEquals("{\"doc\":{\"$attach\":\"doc\"},\"image\":{\"$attach\":\"image\"},"
                + "\"params\":{\"mask\":{\"$attach\":\"params.mask\"}}}", inputs.toString());
    }

    @Test
    void theFileFormatIsDetectedDirectlyThroughRefsAndNested() throws Exception {
        InputSchema s = new InputSchema(Json.MAPPER.readTree(SCHEMA));
        assertTrue(s.find("doc").isFile());
        assertTrue(s.find("image").isFile(), "through $ref");
        assertTrue(s.find("params.mask").isFile(), "nested");
        assertTrue(!s.find("prompt").isFile() && !s.find("steps").isFile());
    }

    @Test
    void aFileInputNeedsAnExistingFileGivenWithAt() {
        CliError noAt = failure("doc=report.pdf");
        assertEquals("ERR_INPUT_INVALID", noAt.code());
        assertTrue(noAt.getMessage().contains("'doc' is a file input (format hangar-file); give it as -i doc=@PATH"));
        CliError missing = failure("doc=@nope.pdf");
        assertEquals("ERR_ATTACHMENT_INVALID", missing.code());
        assertTrue(missing.getMessage().contains("-i doc=@nope.pdf: no such file: " + tmp.resolve("nope.pdf")), missing.getMessage());
        CliError folder = failure("doc=@.");
        assertEquals("ERR_ATTACHMENT_INVALID", folder.code());
    }

    @ParameterizedTest
    @CsvSource({"steps", "=3", ".a=1", "a.=1", "a..b=1"})
    void aMalformedAssignmentIsRefusedBeforeAnySchema(String raw) {
        CliError e = assertThrows(CliError.class, () -> TypedInputs.parse(List.of(raw)));
        assertEquals("ERR_OPTION_INVALID", e.code());
        assertTrue(e.getMessage().startsWith("-i takes KEY=VALUE"), e.getMessage());
    }

    @Test
    void theValueMayContainEqualsSigns() {
        assertEquals(List.of(new TypedInputs.Assignment("q", "a=b=c")), TypedInputs.parse(List.of("q=a=b=c")));
    }
}
