package dev.hangar.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Problem;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code -i key=value}: one input each, typed by the processor's input schema, so that
 * {@code -i steps=20} sends the number 20 and {@code -i doc=@report.pdf} uploads a file input.
 */
final class TypedInputs {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Types a value of several possible types is tried as, most particular first. */
    private static final List<String> UNION_ORDER = List.of("null", "integer", "number", "boolean", "object", "array", "string");

    /** One {@code -i}: the dotted key and the value as typed (still with any leading {@code @}). */
    record Assignment(String key, String value) {
        String shown() {
            return "-i " + key + "=" + abbreviate(value);
        }
    }

    private TypedInputs() {}

    /** Splits each {@code key=value} at its first '='; checks only the form, so it needs no schema. */
    static List<Assignment> parse(List<String> raw) {
        List<Assignment> all = new ArrayList<>();
        for (String a : raw == null ? List.<String>of() : raw) {
            int eq = a.indexOf('=');
            String key = eq < 0 ? a : a.substring(0, eq);
            if (eq <= 0 || key.startsWith(".") || key.endsWith(".") || key.contains("..")) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, "-i takes KEY=VALUE (KEY may be dotted, a.b, for a nested "
                        + "input; VALUE may be @FILE), got '" + abbreviate(a) + "'");
            }
            all.add(new Assignment(key, a.substring(eq + 1)));
        }
        return all;
    }

    /**
     * Sets each assignment into {@code inputs} (later ones win) and returns the files that file
     * inputs need uploaded, by attachment name (the key).
     */
    static Map<String, Path> apply(JsonNode inputsSchema, List<Assignment> assignments, ObjectNode inputs, Path cwd) {
        InputSchema schema = new InputSchema(inputsSchema);
        Map<String, Path> files = new LinkedHashMap<>();
        for (Assignment a : assignments) {
            InputSchema.Target target = schema.find(a.key());
            JsonNode value;
            if (target.isFile()) {
                value = file(a, cwd, files);
            } else {
                value = typed(a, target, text(a, cwd));
            }
            set(inputs, target.path(), value);
        }
        return files;
    }

    /** A file input: the file becomes the attachment named after the key, the input a reference to it. */
    private static JsonNode file(Assignment a, Path cwd, Map<String, Path> files) {
        if (!a.value().startsWith("@") || a.value().length() == 1) {
            throw new CliError(ErrorCode.ERR_INPUT_INVALID, a.shown() + ": '" + a.key() + "' is a file input (format "
                    + InputSchema.FILE_FORMAT + "); give it as -i " + a.key() + "=@PATH");
        }
        files.put(a.key(), Attachments.readable(a.shown(), cwd.resolve(a.value().substring(1))));
        ObjectNode ref = NODES.objectNode();
        ref.put("$attach", a.key());
        return ref;
    }

    /** The value's text: a file's content for {@code @FILE}, a literal '@' for {@code @@}. */
    private static String text(Assignment a, Path cwd) {
        String v = a.value();
        if (v.startsWith("@@")) {
            return v.substring(1);
        }
        if (!v.startsWith("@")) {
            return v;
        }
        Path file = cwd.resolve(v.substring(1));
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, a.shown() + ": no such file: " + file);
        } catch (CharacterCodingException e) {
            throw new CliError(ErrorCode.ERR_INPUT_INVALID, a.shown() + ": " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, a.shown() + ": cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static JsonNode typed(Assignment a, InputSchema.Target target, String text) {
        Set<String> types = target.types();
        if (types.isEmpty()) {
            return NODES.textNode(text); // the schema does not say: the text as is
        }
        if (types.size() == 1) {
            String type = types.iterator().next();
            if (type.equals("array") || type.equals("object")) {
                return json(a, target, type, text); // says where the JSON is broken
            }
            JsonNode v = convert(type, text);
            if (v == null) {
                throw mismatch(a, target, article(type), text);
            }
            return v;
        }
        for (String type : UNION_ORDER) {
            JsonNode v = types.contains(type) ? convert(type, text) : null;
            if (v != null) {
                return v;
            }
        }
        throw mismatch(a, target, "one of " + String.join(", ", types), text);
    }

    /** The text as this JSON type, or null when it is not one. */
    static JsonNode convert(String type, String text) {
        String t = text.strip();
        return switch (type) {
            case "string" -> NODES.textNode(text);
            case "integer" -> integer(t);
            case "number" -> number(t);
            case "boolean" -> bool(t);
            case "null" -> t.equals("null") ? NODES.nullNode() : null;
            case "array", "object" -> {
                try {
                    JsonNode n = JsonValue.parse(t, "", ErrorCode.ERR_INPUT_INVALID);
                    yield type.equals("array") == n.isArray() && (n.isArray() || n.isObject()) ? n : null;
                } catch (CliError e) {
                    yield null;
                }
            }
            default -> NODES.textNode(text); // a type this CLI does not know: let the gateway judge
        };
    }

    private static JsonNode json(Assignment a, InputSchema.Target target, String type, String text) {
        JsonNode n = JsonValue.parse(text.strip(), a.shown() + " (" + article(type) + ")", ErrorCode.ERR_INPUT_INVALID);
        if (type.equals("array") != n.isArray() || !(n.isArray() || n.isObject())) {
            throw mismatch(a, target, article(type), text);
        }
        return n;
    }

    private static JsonNode integer(String t) {
        BigDecimal d = decimal(t);
        if (d == null || d.signum() != 0 && d.stripTrailingZeros().scale() > 0) {
            return null;
        }
        return NODES.numberNode(d.toBigIntegerExact());
    }

    private static JsonNode number(String t) {
        BigDecimal d = decimal(t);
        if (d == null) {
            return null;
        }
        if (d.signum() == 0 || d.stripTrailingZeros().scale() <= 0) {
            return NODES.numberNode(d.toBigIntegerExact()); // 20, not 20.0
        }
        double v = d.doubleValue();
        return Double.isFinite(v) ? NODES.numberNode(v) : null;
    }

    private static BigDecimal decimal(String t) {
        if (t.isEmpty() || t.length() > 100 || !t.matches("[+-]?[0-9.]+([eE][+-]?[0-9]+)?")) {
            return null;
        }
        try {
            BigDecimal d = new BigDecimal(t);
            return Math.abs(d.scale()) > 1000 ? null : d; // 1e999999999 is not worth expanding
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static JsonNode bool(String t) {
        return switch (t.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> NODES.booleanNode(true);
            case "false", "no", "0" -> NODES.booleanNode(false);
            default -> null;
        };
    }

    /** Puts the value at the path, making the objects on the way (an input already there that is not an object is replaced). */
    static void set(ObjectNode inputs, List<String> path, JsonNode value) {
        ObjectNode node = inputs;
        for (String p : path.subList(0, path.size() - 1)) {
            JsonNode child = node.get(p);
            node = child instanceof ObjectNode o ? o : node.putObject(p);
        }
        node.set(path.get(path.size() - 1), value);
    }

    private static CliError mismatch(Assignment a, InputSchema.Target target, String expected, String text) {
        String got = a.value().startsWith("@") && !a.value().startsWith("@@")
                ? "the content of " + a.value().substring(1) + " ('" + abbreviate(text.strip()) + "')"
                : "'" + abbreviate(text) + "'";
        String hint = expected.equals("a boolean") ? " (true/false, yes/no or 1/0)" : "";
        return new CliError(ErrorCode.ERR_INPUT_INVALID, "-i " + a.key() + ": '" + a.key() + "' expects " + expected
                + hint + ", got " + got, List.of(new Problem.FieldError(target.pointer(), "expected " + expected + hint)));
    }

    private static String article(String type) {
        return switch (type) {
            case "integer", "array", "object" -> "an " + type;
            default -> "a " + type;
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
