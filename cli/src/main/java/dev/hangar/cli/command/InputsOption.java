package dev.hangar.cli.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The run's inputs from exactly one source; picocli enforces the exclusivity (an exclusive ArgGroup). */
public final class InputsOption {
    @Option(names = "--inputs-json", paramLabel = "JSON", required = true,
            description = "The inputs as a JSON object, e.g. '{\"text\":\"hi\"}'.")
    String json;

    @Option(names = "--inputs-jsonstr", paramLabel = "JSON", required = true,
            description = "Deprecated: the same as --inputs-json, which replaces it.")
    String jsonstr;

    @Option(names = "--inputs-file", paramLabel = "PATH", required = true,
            description = "Read the inputs (a JSON object) from this file.")
    Path file;

    @Option(names = "--inputs", paramLabel = "-", required = true,
            description = "Read the inputs (a JSON object) from standard input; the only accepted value is '-'.")
    String stdin;

    static final String JSONSTR_WARNING = "warning: --inputs-jsonstr is deprecated; use --inputs-json";

    /** What to tell the user about how the inputs were given, or null. */
    static String warning(InputsOption option) {
        return option != null && option.jsonstr != null ? JSONSTR_WARNING : null;
    }

    /** The inputs; {@code {}} when no source was given. */
    static ObjectNode read(InputsOption option, InputStream in) {
        return read(option, in, Path.of(""));
    }

    /** Like {@link #read(InputsOption, InputStream)}, with a relative --inputs-file taken from {@code cwd}. */
    static ObjectNode read(InputsOption option, InputStream in, Path cwd) {
        return option == null ? Json.MAPPER.createObjectNode() : option.read(in, cwd);
    }

    ObjectNode read(InputStream in, Path cwd) {
        if (json != null) {
            return JsonValue.object(json, "--inputs-json", ErrorCode.ERR_INPUT_INVALID);
        }
        if (jsonstr != null) {
            return JsonValue.object(jsonstr, "--inputs-jsonstr", ErrorCode.ERR_INPUT_INVALID);
        }
        if (file != null) {
            String source = "--inputs-file " + file;
            try {
                return JsonValue.object(Files.readString(cwd.resolve(file)), source, ErrorCode.ERR_INPUT_INVALID);
            } catch (NoSuchFileException e) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, source + ": no such file");
            } catch (IOException e) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, source + ": cannot read it: " + e.getMessage(), e);
            }
        }
        if (!"-".equals(stdin)) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--inputs takes only '-' (standard input), got '" + stdin
                    + "'; use --inputs-file PATH for a file or --inputs-json JSON for a literal");
        }
        try {
            return JsonValue.object(new String(in.readAllBytes(), StandardCharsets.UTF_8), "--inputs - (stdin)",
                    ErrorCode.ERR_INPUT_INVALID);
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "cannot read standard input: " + e.getMessage(), e);
        }
    }
}
