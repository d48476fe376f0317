package dev.hangar.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * An RFC 9457 {@code application/problem+json} body, with Hangar's stable {@code code}, the
 * execution id when one exists, and one entry per failing field.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, ErrorCode code,
                      String executionId, List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One failing location: a JSON pointer (or option name) and what is wrong there. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record FieldError(String path, String message) {}

    public static Problem of(ErrorCode code, String detail, String executionId, List<FieldError> errors) {
        return new Problem("https://hangar.dev/errors/" + code.name(), title(code), code.httpStatus(), detail, code,
                executionId, errors == null ? List.of() : errors);
    }

    public static Problem of(HangarException e, String executionId) {
        return of(e.code(), e.getMessage(), executionId, e.errors());
    }

    private static String title(ErrorCode code) {
        String hint = code.hint();
        int dot = hint.indexOf(';');
        return dot > 0 ? hint.substring(0, dot) : hint;
    }
}
