package dev.hangar.cli.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;

/**
 * JSON as the CLI reads it from servers: the contracts' configuration, but tolerant of fields,
 * event types and error codes added after this CLI was built (the contract only ever adds).
 */
public final class CliJson {
    public static final ObjectMapper LENIENT = Json.configure(new ObjectMapper())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_INVALID_SUBTYPE)
            .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL);

    private CliJson() {}

    public static JsonNode parse(String text) throws JsonProcessingException {
        return LENIENT.readTree(text);
    }

    public static <T> T convert(JsonNode node, Class<T> type) {
        try {
            return LENIENT.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new CliError(ErrorCode.ERR_INTERNAL, "the gateway sent a " + type.getSimpleName()
                    + " this CLI cannot read: " + e.getMessage(), e);
        }
    }

    public static String pretty(Object value) {
        try {
            return LENIENT.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** One line, for NDJSON. */
    public static String compact(Object value) {
        try {
            return LENIENT.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
