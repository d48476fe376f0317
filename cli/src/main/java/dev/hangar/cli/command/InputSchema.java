package dev.hangar.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Problem;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a processor's {@code inputs_schema} says about one {@code -i} key: where the value goes
 * in the inputs object, which JSON types it may have, and whether it is a file. Reads only the
 * parts of JSON Schema that decide this ({@code properties}, {@code additionalProperties},
 * {@code type}, {@code const}/{@code enum}, {@code format}, local {@code $ref}); the gateway
 * validates the rest.
 */
final class InputSchema {
    /** The {@code format} that marks a property as a file, uploaded as an attachment. */
    static final String FILE_FORMAT = "hangar-file";

    /**
     * @param path   the property names from the root to the value (a dotted key may match one name containing dots)
     * @param schema the property's schema, or a missing node when the schema does not describe it
     */
    record Target(List<String> path, JsonNode schema) {
        /** The JSON types the value may have, in the order they are tried; empty when anything goes. */
        Set<String> types() {
            Set<String> types = new LinkedHashSet<>();
            JsonNode type = schema.path("type");
            if (type.isTextual()) {
                types.add(type.asText());
            } else if (type.isArray()) {
                type.forEach(t -> types.add(t.asText()));
            } else {
                // {"const": "v1"} or {"enum": [...]}: the allowed values say what to parse
                List<JsonNode> allowed = new ArrayList<>();
                if (schema.has("const")) {
                    allowed.add(schema.get("const"));
                }
                schema.path("enum").forEach(allowed::add);
                allowed.forEach(v -> types.add(typeOf(v)));
            }
            return types;
        }

        boolean isFile() {
            return FILE_FORMAT.equals(schema.path("format").asText(null));
        }

        String pointer() {
            StringBuilder b = new StringBuilder();
            path.forEach(p -> b.append('/').append(p.replace("~", "~0").replace("/", "~1")));
            return b.toString();
        }
    }

    private static final int MAX_REF_DEPTH = 32;

    private final JsonNode root;

    InputSchema(JsonNode root) {
        this.root = root == null || root.isNull() ? MissingNode.getInstance() : root;
    }

    /**
     * Finds a key: {@code a.b} is the property {@code a.b} if the schema has one, else the property
     * {@code b} of the object property {@code a}. An unknown key is refused only where the schema
     * closes the object ({@code additionalProperties: false}).
     */
    Target find(String key) {
        String[] parts = key.split("\\.", -1);
        List<String> path = new ArrayList<>();
        JsonNode node = deref(root);
        int i = 0;
        while (i < parts.length) {
            JsonNode properties = node.path("properties");
            int matched = -1;
            for (int j = parts.length - 1; j >= i && matched < 0; j--) {
                if (properties.has(String.join(".", java.util.Arrays.copyOfRange(parts, i, j + 1)))) {
                    matched = j;
                }
            }
            if (matched >= 0) {
                String name = String.join(".", java.util.Arrays.copyOfRange(parts, i, matched + 1));
                path.add(name);
                node = deref(properties.get(name));
                i = matched + 1;
                continue;
            }
            JsonNode extra = node.has("additionalProperties") ? node.get("additionalProperties")
                    : node.path("unevaluatedProperties");
            if (extra.isBoolean() && !extra.asBoolean()) {
                throw unknown(key, parts[i], path, properties);
            }
            path.add(parts[i++]);
            node = extra.isObject() ? deref(extra) : MissingNode.getInstance();
        }
        return new Target(List.copyOf(path), node);
    }

    private static CliError unknown(String key, String name, List<String> parent, JsonNode properties) {
        Set<String> allowed = new TreeSet<>();
        properties.fieldNames().forEachRemaining(allowed::add);
        String where = parent.isEmpty() ? "" : " in '" + String.join(".", parent) + "'";
        String list = allowed.isEmpty() ? "none" : String.join(", ", allowed);
        String message = "-i " + key + ": the processor has no input '" + name + "'" + where + "; allowed keys: " + list;
        String pointer = "/" + String.join("/", parent);
        return new CliError(ErrorCode.ERR_INPUT_INVALID, message,
                List.of(new Problem.FieldError(pointer, "no property '" + name + "'; allowed: " + list)));
    }

    /** Follows local references ({@code "$ref": "#/$defs/x"}); a reference it cannot follow counts as "anything". */
    private JsonNode deref(JsonNode node) {
        JsonNode n = node == null ? MissingNode.getInstance() : node;
        for (int depth = 0; n.path("$ref").isTextual() && depth < MAX_REF_DEPTH; depth++) {
            String ref = n.get("$ref").asText();
            if (!ref.startsWith("#")) {
                return MissingNode.getInstance();
            }
            n = root.at(ref.substring(1));
        }
        return n;
    }

    static String typeOf(JsonNode value) {
        if (value.isIntegralNumber()) {
            return "integer";
        }
        if (value.isNumber()) {
            return "number";
        }
        return switch (value.getNodeType()) {
            case BOOLEAN -> "boolean";
            case ARRAY -> "array";
            case OBJECT -> "object";
            case NULL -> "null";
            default -> "string";
        };
    }
}
