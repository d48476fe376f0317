package dev.hangar.contracts;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The one Jackson configuration for wire types; Quarkus services apply it to their mapper too. */
public final class Json {
    public static final ObjectMapper MAPPER = configure(new ObjectMapper());
    public static final ObjectMapper YAML = configure(new ObjectMapper(new YAMLFactory()));

    private Json() {}

    public static ObjectMapper configure(ObjectMapper mapper) {
        return mapper.registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Parses a wire record; malformed JSON or a wrong shape is {@link ErrorCode#ERR_BAD_REQUEST}. */
    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var unknown = WireEnums.unknownValue(e);
            if (unknown.isPresent()) {
                throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "not a valid " + type.getSimpleName() + ": "
                        + unknown.get().getMessage());
            }
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                if (c instanceof HangarException h) {
                    // a rule of a wire type (an unknown enum value, a bad ref) keeps its own code
                    throw new HangarException(h.code(), "not a valid " + type.getSimpleName() + ": " + h.getMessage(), h.errors());
                }
            }
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "not a valid " + type.getSimpleName() + ": "
                    + e.getOriginalMessage() + location(e), e);
        } catch (HangarException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "not a valid " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static String location(com.fasterxml.jackson.core.JsonProcessingException e) {
        var loc = e.getLocation();
        return loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }
}
