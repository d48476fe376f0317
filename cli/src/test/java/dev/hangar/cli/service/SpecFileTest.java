package dev.hangar.cli.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.SpecValidator;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecFileTest {
    @TempDir
    Path tmp;

    static Path fixture(String name) {
        try {
            return Path.of(SpecFileTest.class.getResource("/processors/" + name + "/hangar.yaml").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsAValidSpec() {
        ProcessorSpec spec = SpecFile.read(fixture("echo"));
        assertEquals("examples/echo@1", spec.ref().toString());
        assertEquals("127.0.0.1:5000/examples/echo", spec.image());
        assertEquals(256, spec.runtime().memoryMb());
        assertEquals("v1", spec.inputsSchema().path("properties").path("schema").path("const").asText());
        assertEquals("output.json", spec.outputs().get(0).name());
        assertTrue(spec.digests().isEmpty());
        SpecValidator.requireValidSpec(spec);
    }

    @Test
    void anUnknownKeyIsAnErrorWithItsLine() {
        var e = assertThrows(CliError.class, () -> SpecFile.read(fixture("unknown-key")));
        assertEquals("ERR_SPEC_INVALID", e.code());
        assertTrue(e.getMessage().contains("line 8"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown key 'gpu_type'"), e.getMessage());
        assertTrue(e.getMessage().contains("memory_mb"), "lists the allowed keys: " + e.getMessage());
        assertEquals("/runtime/gpu_type", e.errors().get(0).path());
    }

    @Test
    void aBadRefKeepsItsCodeAndLine() {
        var e = assertThrows(CliError.class, () -> SpecFile.read(fixture("bad-ref")));
        assertEquals("ERR_REF_INVALID", e.code());
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void aYamlSyntaxErrorNamesItsLine() {
        var e = assertThrows(CliError.class, () -> SpecFile.read(fixture("bad-yaml")));
        assertEquals("ERR_SPEC_INVALID", e.code());
        assertTrue(e.getMessage().matches("(?s).*hangar\\.yaml line [45], column \\d+.*"), e.getMessage());
    }

    @Test
    void aMissingFileSaysWhere() {
        var e = assertThrows(CliError.class, () -> SpecFile.read(tmp.resolve("hangar.yaml")));
        assertEquals("ERR_SPEC_INVALID", e.code());
        assertTrue(e.getMessage().contains("no hangar.yaml in " + tmp), e.getMessage());
    }
}
