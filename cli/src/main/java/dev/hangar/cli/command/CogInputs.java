package dev.hangar.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code -i name=value} for a Cog image, checked against its schema label before any container
 * starts (as {@code cog predict} does): an unknown or missing input is named, each value typed by
 * its property ({@code -i steps=20} an integer, {@code -i scale=0.5} a number), a file input
 * ({@code format: uri}) given as {@code @path} sent as a {@code data:} URL, an http(s) URL fetched by the
 * CLI ({@link dev.hangar.cli.cog.UrlInputs}) since the container has no network.
 */
final class CogInputs {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final long MAX_FILE_BYTES = 64L * 1024 * 1024;

    private CogInputs() {}

    /** {@code components.schemas.<component>} of an OpenAPI document, e.g. {@code Input} or {@code TrainingInput}. */
    static JsonNode component(JsonNode openapi, String component) {
        return openapi.path("components").path("schemas").path(component);
    }

    /** The input object for these {@code -i} options; {@code what} names the entry point in messages. */
    static ObjectNode build(JsonNode openapi, String component, List<TypedInputs.Assignment> assignments, Path cwd, String what) {
        JsonNode input = component(openapi, component);
        if (input.isMissingNode()) {
            throw new CliError(ErrorCode.ERR_SPEC_INVALID, "the image's schema has no " + component + " (does it have " + what + "?)");
        }
        JsonNode properties = input.path("properties");
        ObjectNode out = NODES.objectNode();
        for (TypedInputs.Assignment a : assignments) {
            JsonNode property = properties.get(a.key());
            if (property == null) {
                Set<String> known = new TreeSet<>();
                properties.fieldNames().forEachRemaining(known::add);
                throw new CliError(ErrorCode.ERR_INPUT_INVALID, "-i " + a.key() + ": " + what + " has no input '" + a.key()
                        + "'; its inputs: " + (known.isEmpty() ? "none" : String.join(", ", known)),
                        List.of(new Problem.FieldError("/" + a.key(), "unknown input")));
            }
            out.set(a.key(), value(openapi, property, a, cwd));
        }
        List<String> missing = new ArrayList<>();
        input.path("required").forEach(r -> {
            if (!out.has(r.asText())) {
                missing.add(r.asText());
            }
        });
        if (!missing.isEmpty()) {
            throw new CliError(ErrorCode.ERR_INPUT_INVALID, what + " needs " + (missing.size() == 1 ? "input " : "inputs ")
                    + String.join(", ", missing) + "; give " + String.join(" ", missing.stream().map(m -> "-i " + m + "=...").toList()),
                    missing.stream().map(m -> new Problem.FieldError("/" + m, "is required")).toList());
        }
        return out;
    }

    static JsonNode value(JsonNode openapi, JsonNode property, TypedInputs.Assignment a, Path cwd) {
        JsonNode schema = resolve(openapi, property);
        String type = schema.path("type").asText("");
        String v = a.value();
        if ("uri".equals(schema.path("format").asText()) || "array".equals(type) && "uri".equals(resolve(openapi,
                schema.path("items")).path("format").asText())) {
            if (v.startsWith("@") && !v.startsWith("@@")) {
                JsonNode url = NODES.textNode(dataUrl(a, cwd.resolve(v.substring(1))));
                return "array".equals(type) ? NODES.arrayNode().add(url) : url;
            }
            if ("array".equals(type) && v.startsWith("[")) {
                return JsonValue.parse(v, a.shown(), ErrorCode.ERR_INPUT_INVALID);
            }
            JsonNode url = NODES.textNode(v.startsWith("@@") ? v.substring(1) : v);
            return "array".equals(type) ? NODES.arrayNode().add(url) : url;
        }
        String text = v.startsWith("@@") ? v.substring(1) : v.startsWith("@") ? read(a, cwd.resolve(v.substring(1))) : v;
        if (type.isEmpty()) {
            return NODES.textNode(text);
        }
        if ("array".equals(type) && !text.strip().startsWith("[")) {
            String itemType = resolve(openapi, schema.path("items")).path("type").asText("string");
            JsonNode item = TypedInputs.convert(itemType, text);
            if (item == null) {
                throw mismatch(a, "a list of " + itemType);
            }
            return NODES.arrayNode().add(item); // -i tags=a: a list of one
        }
        JsonNode typed = TypedInputs.convert(type, text);
        if (typed == null) {
            throw mismatch(a, article(type));
        }
        return typed;
    }

    /** Cog writes choices as {@code allOf: [{$ref: "#/components/schemas/name"}]}: the referenced schema. */
    static JsonNode resolve(JsonNode openapi, JsonNode property) {
        return dev.hangar.cli.cog.UrlInputs.resolve(openapi, property);
    }

    /** The set of {@code -i} names a schema's component accepts, for help text. */
    static Set<String> names(JsonNode openapi, String component) {
        Set<String> names = new LinkedHashSet<>();
        component(openapi, component).path("properties").fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String dataUrl(TypedInputs.Assignment a, Path file) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new CliError(ErrorCode.ERR_INPUT_INVALID, a.shown() + ": " + file + " is larger than "
                        + MAX_FILE_BYTES / (1024 * 1024) + " MiB; pass a URL instead");
            }
            String mime = Files.probeContentType(file);
            byte[] bytes = Files.readAllBytes(file);
            return "data:" + (mime == null ? "application/octet-stream" : mime) + ";base64," + Base64.getEncoder().encodeToString(bytes);
        } catch (NoSuchFileException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, a.shown() + ": no such file: " + file);
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, a.shown() + ": cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String read(TypedInputs.Assignment a, Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, a.shown() + ": no such file: " + file);
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_INPUT_INVALID, a.shown() + ": cannot read " + file + " as UTF-8 text: " + e.getMessage(), e);
        }
    }

    private static CliError mismatch(TypedInputs.Assignment a, String expected) {
        String hint = expected.equals("a boolean") ? " (true/false, yes/no or 1/0)" : "";
        return new CliError(ErrorCode.ERR_INPUT_INVALID, "-i " + a.key() + ": '" + a.key() + "' expects " + expected + hint
                + ", got '" + a.value() + "'", List.of(new Problem.FieldError("/" + a.key(), "expected " + expected + hint)));
    }

    private static String article(String type) {
        return switch (type) {
            case "integer", "array", "object" -> "an " + type;
            default -> "a " + type;
        };
    }
}
