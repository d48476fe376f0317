package dev.hangar.cli.command;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import java.util.Locale;

/** A JSON object given on the command line, a file or stdin; a mistake names its source and position. */
final class JsonValue {
    private static final ObjectReader STRICT = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private JsonValue() {}

    /**
     * @param source       how the user gave it, e.g. {@code --inputs-file /x/y.json}
     * @param notAnObject  the code when it parses but is not an object
     */
    static ObjectNode object(String text, String source, ErrorCode notAnObject) {
        if (text == null || text.isBlank()) {
            throw new CliError(ErrorCode.ERR_BAD_REQUEST, source + " is empty; expected a JSON object such as {}");
        }
        JsonNode node = parse(text, source, ErrorCode.ERR_BAD_REQUEST);
        if (node == null || !node.isObject()) {
            String kind = node == null ? "nothing" : node.getNodeType().name().toLowerCase(Locale.ROOT);
            throw new CliError(notAnObject, source + " must be a JSON object, got " + kind);
        }
        return (ObjectNode) node;
    }

    /** Any JSON value; malformed text is {@code code}, with the source and position. */
    static JsonNode parse(String text, String source, ErrorCode code) {
        try {
            JsonNode node = STRICT.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new CliError(code, source + " is empty; expected JSON");
            }
            return node;
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String at = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new CliError(code, "malformed JSON in " + source + at + ": " + e.getOriginalMessage());
        }
    }
}
