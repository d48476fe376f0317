package dev.hangar.contracts;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Body of {@code PUT /v1/secrets/{name}}; the value is never returned, logged or put on the bus.
 * The name and size rules live here, for the gateway and the CLI alike.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SecretValue(String value) {
    /** 1 to 64 of A-Z, 0-9 and _, starting with a letter. */
    public static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
    public static final int MAX_VALUE_BYTES = 64 * 1024;

    /** Returns the name, or throws {@link ErrorCode#ERR_SECRET_INVALID}. */
    public static String requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new HangarException(ErrorCode.ERR_SECRET_INVALID, "secret name '" + name
                    + "' must be 1-64 characters of A-Z, 0-9 and _, starting with a letter");
        }
        return name;
    }

    /** Returns the value, or throws {@link ErrorCode#ERR_SECRET_INVALID} with its size, never the value. */
    public static String requireValue(String name, String value) {
        int bytes = value == null ? 0 : value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_VALUE_BYTES) {
            throw new HangarException(ErrorCode.ERR_SECRET_INVALID, "the value of secret " + name + " is " + bytes
                    + " bytes; it must be 1 byte to 64 KiB");
        }
        return value;
    }

    /**
     * Body of the gateway's internal {@code POST /internal/v1/secrets}: an executor asks for the
     * values a real-mode run needs, presenting the shared internal token.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Lookup(String executionId, List<String> names) {}

    /** The answer to a {@link Lookup}: name → value of the secrets that are set. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Values(Map<String, String> values) {
        public Values {
            values = Map.copyOf(values);
        }

        @Override
        public String toString() {
            return "SecretValue.Values" + values.keySet() + "[**redacted**]";
        }
    }

    @Override
    public String toString() {
        return "SecretValue[**redacted**]";
    }
}
