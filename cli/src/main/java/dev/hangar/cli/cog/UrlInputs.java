package dev.hangar.cli.cog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;

/**
 * The file inputs of one request ({@code format: uri} in the schema, or a list of them) that are
 * http(s) URLs, fetched by the CLI and replaced by {@code data:} URLs before the container sees
 * them: it has no network. {@code predict}/{@code run -i}/{@code train} and {@code serve} share it.
 */
public final class UrlInputs {
    private UrlInputs() {}

    /** Replaces, in place, every http(s) value of a file input of {@code component} in {@code input}. */
    public static void inline(JsonNode openapi, String component, ObjectNode input, UrlFetcher fetcher) {
        inline(openapi, openapi.path("components").path("schemas").path(component), input, fetcher);
    }

    /**
     * As above for an object schema inside {@code root} (whose {@code #/...} references it resolves):
     * a processor's {@code inputs_schema} is its own root, its choices in {@code $defs}.
     */
    public static void inline(JsonNode root, JsonNode objectSchema, ObjectNode input, UrlFetcher fetcher) {
        JsonNode openapi = root;
        JsonNode properties = objectSchema.path("properties");
        for (Iterator<Map.Entry<String, JsonNode>> it = input.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode property = properties.get(field.getKey());
            if (property == null) {
                continue; // the runtime names unknown inputs
            }
            JsonNode schema = resolve(openapi, property);
            String what = "input " + field.getKey();
            if (isUri(schema)) {
                field.setValue(inlined(what, field.getValue(), fetcher));
            } else if ("array".equals(schema.path("type").asText()) && isUri(resolve(openapi, schema.path("items")))
                    && field.getValue() instanceof ArrayNode items) {
                for (int i = 0; i < items.size(); i++) {
                    items.set(i, inlined(what + "[" + i + "]", items.get(i), fetcher));
                }
            }
        }
    }

    private static JsonNode inlined(String what, JsonNode value, UrlFetcher fetcher) {
        if (value.isTextual() && UrlFetcher.isHttp(value.asText())) {
            return TextNode.valueOf(fetcher.fetch(what, value.asText()).dataUrl());
        }
        return value;
    }

    private static boolean isUri(JsonNode schema) {
        return "uri".equals(schema.path("format").asText());
    }

    /** Cog writes choices as {@code allOf: [{$ref: "#/components/schemas/name"}]}: the referenced schema. */
    public static JsonNode resolve(JsonNode openapi, JsonNode property) {
        JsonNode p = property;
        for (int i = 0; i < 8; i++) {
            JsonNode ref = p.path("$ref");
            if (!ref.isTextual() && p.path("allOf").size() == 1) {
                ref = p.path("allOf").get(0).path("$ref");
            }
            if (!ref.isTextual() || !ref.asText().startsWith("#/")) {
                return p;
            }
            p = openapi.at(ref.asText().substring(1));
        }
        return p;
    }
}
