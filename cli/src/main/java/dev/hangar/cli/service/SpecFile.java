package dev.hangar.cli.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Problem;
import dev.hangar.contracts.ProcessorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Reads a processor's {@code hangar.yaml}: strictly, and every mistake names its line. */
public final class SpecFile {
    public static final String NAME = "hangar.yaml";

    private SpecFile() {}

    public static ProcessorSpec read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new CliError(ErrorCode.ERR_SPEC_INVALID, "no " + file.getFileName() + " in "
                    + (file.getParent() == null ? "." : file.getParent()) + " (looked for " + file + ")");
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_SPEC_INVALID, "cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            ProcessorSpec spec = Json.YAML.readValue(text, ProcessorSpec.class);
            if (spec == null) {
                throw new CliError(ErrorCode.ERR_SPEC_INVALID, file + " is empty");
            }
            return spec;
        } catch (JsonProcessingException e) {
            throw describe(file, e);
        }
    }

    private static CliError describe(Path file, JsonProcessingException e) {
        var loc = e.getLocation();
        String where = file + (loc == null ? "" : " line " + loc.getLineNr() + ", column " + loc.getColumnNr());
        String pointer = e instanceof JsonMappingException m ? pointer(m.getPath()) : "/";
        ErrorCode code = ErrorCode.ERR_SPEC_INVALID;
        String why;
        if (e instanceof UnrecognizedPropertyException u) {
            why = "unknown key '" + u.getPropertyName() + "' (allowed here: " + u.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", ")) + ")";
        } else if (cause(e) instanceof HangarException h) {
            code = h.code();
            why = h.getMessage();
        } else {
            why = e.getOriginalMessage();
        }
        return new CliError(code.name(), where + ": " + why, List.of(new Problem.FieldError(pointer, why)), null, e);
    }

    private static Throwable cause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof HangarException) {
                return c;
            }
        }
        return null;
    }

    private static String pointer(List<JsonMappingException.Reference> path) {
        if (path == null || path.isEmpty()) {
            return "/";
        }
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : path) {
            b.append('/').append(r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()));
        }
        return b.toString();
    }
}
