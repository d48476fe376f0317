package dev.hangar.contracts;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** Body of {@code PUT /v1/secrets/{name}}; the value is never returned, logged or put on the bus. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SecretValue(String value) {

    /**
     * Body of the gateway's internal {@code POST /internal/v1/secrets}: an executor asks for the
     * values a real-mode run needs, presenting the shared internal token.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Lookup(String executionId, java.util.List<String> names) {}

    @Override
    public String toString() {
        return "SecretValue[**redacted**]";
    }
}
