package dev.hangar.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -i against a Cog schema, as the signature derives it (choices via allOf, files as format uri). */
class CogInputsTest {
    static final JsonNode OPENAPI = parse("""
            {"components":{"schemas":{
              "Input":{"type":"object","title":"Input","required":["prompt"],"properties":{
                "prompt":{"type":"string","title":"Prompt","x-order":0},
                "steps":{"type":"integer","default":20,"minimum":1},
                "scale":{"type":"number","default":7.5},
                "fast":{"type":"boolean","default":false},
                "size":{"allOf":[{"$ref":"#/components/schemas/size"}],"default":512},
                "image":{"type":"string","format":"uri"},
                "images":{"type":"array","items":{"type":"string","format":"uri"}},
                "tags":{"type":"array","items":{"type":"string"}}}},
              "size":{"title":"size","enum":[256,512],"type":"integer"}}}}""");

    static JsonNode parse(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode build(Path cwd, String... i) {
        return CogInputs.build(OPENAPI, "Input", TypedInputs.parse(List.of(i)), cwd, "the predictor");
    }

    @Test
    void valuesAreTypedByTheirProperty(@TempDir Path cwd) {
        JsonNode in = build(cwd, "prompt=a cat", "steps=30", "scale=0.5", "fast=yes", "size=256", "tags=x");
        assertEquals("a cat", in.path("prompt").asText());
        assertTrue(in.path("steps").isIntegralNumber());
        assertEquals(30, in.path("steps").asInt());
        assertEquals(0.5, in.path("scale").asDouble());
        assertTrue(in.path("fast").asBoolean());
        assertTrue(in.path("size").isIntegralNumber(), "a choice typed by its referenced enum: " + in);
        assertEquals("[\"x\"]", in.path("tags").toString());
        assertEquals("[\"a\",\"b\"]", build(cwd, "prompt=p", "tags=[\"a\",\"b\"]").path("tags").toString());
    }

    @Test
    void aFileIsSentAsADataUrlAndAUrlAsItIs(@TempDir Path cwd) throws Exception {
        Files.writeString(cwd.resolve("note.txt"), "hello");
        JsonNode in = build(cwd, "prompt=p", "image=@note.txt", "images=@note.txt");
        assertTrue(in.path("image").asText().matches("data:[a-z/-]+;base64,aGVsbG8="), in.toString());
        assertTrue(in.path("images").get(0).asText().endsWith(";base64,aGVsbG8="), in.toString());
        assertEquals("https://example.com/x.png", build(cwd, "prompt=p", "image=https://example.com/x.png").path("image").asText());
        CliError e = assertThrows(CliError.class, () -> build(cwd, "prompt=p", "image=@missing.png"));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
        assertEquals("hello", build(cwd, "prompt=@note.txt").path("prompt").asText(), "@FILE for a text input reads it");
    }

    @Test
    void unknownMissingAndMistypedInputsAreNamed(@TempDir Path cwd) {
        CliError unknown = assertThrows(CliError.class, () -> build(cwd, "prompt=p", "stpes=3"));
        assertTrue(unknown.is(ErrorCode.ERR_INPUT_INVALID));
        assertTrue(unknown.getMessage().contains("no input 'stpes'"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("steps"), "lists the known inputs: " + unknown.getMessage());
        CliError missing = assertThrows(CliError.class, () -> build(cwd, "steps=3"));
        assertTrue(missing.getMessage().contains("needs input prompt"), missing.getMessage());
        assertEquals("/prompt", missing.errors().getFirst().path());
        CliError typed = assertThrows(CliError.class, () -> build(cwd, "prompt=p", "steps=many"));
        assertTrue(typed.getMessage().contains("'steps' expects an integer, got 'many'"), typed.getMessage());
        CliError bool = assertThrows(CliError.class, () -> build(cwd, "prompt=p", "fast=maybe"));
        assertTrue(bool.getMessage().contains("true/false"), bool.getMessage());
    }

    @Test
    void anImageWithoutTheComponentSaysSo(@TempDir Path cwd) {
        CliError e = assertThrows(CliError.class, () -> CogInputs.build(OPENAPI, "TrainingInput", List.of(), cwd, "train()"));
        assertTrue(e.getMessage().contains("no TrainingInput"), e.getMessage());
    }
}
