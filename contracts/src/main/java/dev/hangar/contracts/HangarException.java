package dev.hangar.contracts;

import java.util.List;

/** A failure with a stable {@link ErrorCode}; every service maps it to problem+json. */
public class HangarException extends RuntimeException {
    private final ErrorCode code;
    private final List<Problem.FieldError> errors;

    public HangarException(ErrorCode code, String message) {
        this(code, message, List.of(), null);
    }

    public HangarException(ErrorCode code, String message, Throwable cause) {
        this(code, message, List.of(), cause);
    }

    public HangarException(ErrorCode code, String message, List<Problem.FieldError> errors) {
        this(code, message, errors, null);
    }

    private HangarException(ErrorCode code, String message, List<Problem.FieldError> errors, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.errors = List.copyOf(errors);
    }

    public ErrorCode code() {
        return code;
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }
}
