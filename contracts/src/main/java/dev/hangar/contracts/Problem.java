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

    /**
     * The problem for any failure a service catches at its edge: a {@link HangarException} keeps
     * its code; malformed JSON is {@link ErrorCode#ERR_BAD_REQUEST}; anything else is
     * {@link ErrorCode#ERR_INTERNAL} with no internals shown.
     */
    public static Problem from(Throwable t, String executionId) {
        // A HangarException wrapped by Jackson (e.g. a bad ref inside a body) keeps its own code.
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof HangarException e) {
                return of(e, executionId);
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            var unknown = WireEnums.unknownValue(c);
            if (unknown.isPresent()) {
                return of(unknown.get(), executionId);
            }
            if (c instanceof com.fasterxml.jackson.core.JsonProcessingException e) {
                var loc = e.getLocation();
                return of(ErrorCode.ERR_BAD_REQUEST, "malformed JSON body: " + e.getOriginalMessage()
                        + (loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")"),
                        executionId, List.of());
            }
        }
        return of(ErrorCode.ERR_INTERNAL, "internal error; it has been logged", executionId, List.of());
    }

    private static String title(ErrorCode code) {
        String hint = code.hint();
        int dot = hint.indexOf(';');
        return dot > 0 ? hint.substring(0, dot) : hint;
    }
}
