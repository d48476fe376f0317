package dev.hangar.cli.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.Envelope;
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
            .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
            // records re-serialised for --json: maps (digests per platform) in a stable order
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private CliJson() {}

    public static JsonNode parse(String text) throws JsonProcessingException {
        return LENIENT.readTree(text);
    }

    public static <T> T convert(JsonNode node, Class<T> type) {
        return convert(node, LENIENT.constructType(type));
    }

    /** A server's JSON as a contract type; a shape this CLI cannot read is {@link ErrorCode#ERR_INTERNAL}. */
    public static <T> T convert(JsonNode node, JavaType type) {
        try {
            return LENIENT.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new CliError(ErrorCode.ERR_INTERNAL, "the gateway sent a " + type.getRawClass().getSimpleName()
                    + " this CLI cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * The {@code error.code} of an envelope as sent: the one value read loosely, since a server
     * newer than this CLI may send a code its {@link ErrorCode} does not know (read as null).
     */
    public static String errorCode(JsonNode envelope) {
        JsonNode code = envelope.path("error").path("code");
        return code.isTextual() ? code.asText() : null;
    }

    /**
     * An envelope as this CLI prints it: the record, with {@code execution_id} always present
     * (null before a run exists) and an error code this CLI does not know put back as sent.
     */
    public static ObjectNode envelope(Envelope envelope, String errorCode) {
        ObjectNode tree = LENIENT.createObjectNode().put("status", envelope.status().wire())
                .put("execution_id", envelope.executionId());
        tree.setAll((ObjectNode) LENIENT.valueToTree(envelope)); // keys already set keep their place
        if (envelope.error() != null && envelope.error().code() == null && errorCode != null) {
            ObjectNode error = LENIENT.createObjectNode().put("code", errorCode);
            error.setAll((ObjectNode) tree.get("error"));
            tree.set("error", error);
        }
        return tree;
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
