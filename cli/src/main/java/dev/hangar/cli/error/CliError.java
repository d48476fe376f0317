package dev.hangar.cli.error;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Problem;
import java.net.URI;
import java.util.List;
import java.util.function.Supplier;

/**
 * A failure the CLI reports: the stable code (kept as text, so a code newer than this CLI still
 * prints), a message, the failing fields, and the run it concerns once one exists.
 */
public final class CliError extends RuntimeException {
    private final String code;
    private final List<Problem.FieldError> errors;
    private final String executionId;
    private final int status;
    private final int attempts;

    public CliError(String code, String message, List<Problem.FieldError> errors, String executionId, Throwable cause) {
        this(code, message, errors, executionId, cause, 0, 1);
    }

    private CliError(String code, String message, List<Problem.FieldError> errors, String executionId, Throwable cause,
                     int status, int attempts) {
        super(message, cause);
        this.code = code;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
        this.executionId = executionId;
        this.status = status;
        this.attempts = attempts;
    }

    public CliError(ErrorCode code, String message) {
        this(code.name(), message, List.of(), null, null);
    }

    public CliError(ErrorCode code, String message, List<Problem.FieldError> errors) {
        this(code.name(), message, errors, null, null);
    }

    public CliError(ErrorCode code, String message, Throwable cause) {
        this(code.name(), message, List.of(), null, cause);
    }

    public static CliError from(HangarException e) {
        return new CliError(e.code().name(), e.getMessage(), e.errors(), null, e);
    }

    /** Runs a contracts rule: a failure keeps the rule's code and message. */
    public static <T> T check(Supplier<T> rule) {
        return check(null, null, rule);
    }

    /** Runs a contracts rule for an option: a failure keeps the rule's code and says {@code option: message}. */
    public static <T> T check(String option, Supplier<T> rule) {
        return check(option, null, rule);
    }

    /**
     * Runs a contracts rule for something the user typed: a failure keeps the rule's code and
     * message, with {@code label} (an option, an argument) in place of the wire name
     * {@code subject} the message starts with (else {@code label: message}).
     */
    public static <T> T check(String label, String subject, Supplier<T> rule) {
        try {
            return rule.get();
        } catch (HangarException e) {
            if (label == null) {
                throw from(e);
            }
            String m = e.getMessage();
            String message = subject != null && m.startsWith(subject) ? label + m.substring(subject.length()) : label + ": " + m;
            throw new CliError(e.code().name(), message, e.errors(), null, e);
        }
    }

    /**
     * From a problem+json body; {@code rawCode} is the {@code code} as sent, used when this
     * CLI's {@link ErrorCode} does not know it.
     */
    public static CliError from(Problem p, String rawCode) {
        String code = p.code() != null ? p.code().name() : rawCode;
        String message = p.detail() != null ? p.detail() : p.title();
        return new CliError(code == null || code.isBlank() ? ErrorCode.ERR_INTERNAL.name() : code,
                message == null ? "HTTP " + p.status() : message, p.errors(), p.executionId(), null);
    }

    /** The gateway (or another endpoint the CLI needs) did not answer. */
    public static CliError unreachable(String what, URI url, Throwable cause) {
        return new CliError(ErrorCode.ERR_UNAVAILABLE, "cannot reach the " + what + " at " + url + " (" + why(cause)
                + "); is it running? (the local stack: `bin/stack up`) or is the URL wrong? pass --base-url or set $HANGAR_BASE_URL",
                cause);
    }

    private static String why(Throwable cause) {
        if (cause == null) {
            return "no answer";
        }
        if (cause instanceof java.net.http.HttpConnectTimeoutException) {
            return "connect timed out";
        }
        if (cause instanceof java.net.http.HttpTimeoutException) {
            return "no answer in time";
        }
        if (cause instanceof java.net.ConnectException) {
            return "connection refused";
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /** The same failure, now known to concern a run. */
    public CliError forRun(String id) {
        return executionId != null || id == null ? this : new CliError(code, getMessage(), errors, id, this, status, attempts);
    }

    /** The same failure with the HTTP status it came with (0: none). */
    public CliError withStatus(int httpStatus) {
        return new CliError(code, getMessage(), errors, executionId, getCause(), httpStatus, attempts);
    }

    /** The same failure, said differently. */
    public CliError withMessage(String message) {
        return new CliError(code, message, errors, executionId, getCause(), status, attempts);
    }

    /** The same failure, reached after {@code n} attempts (of {@code what}, when the message does not say). */
    public CliError after(int n, String what) {
        String m = getMessage() + " (" + (what == null ? "" : what + ", ") + (n == 1 ? "1 attempt)" : n + " attempts)");
        return new CliError(code, m, errors, executionId, getCause(), status, n);
    }

    /** The HTTP status of the answer this failure came from; 0 when there was none. */
    public int status() {
        return status;
    }

    /** How many times the request was sent before this failure was final. */
    public int attempts() {
        return attempts;
    }

    /**
     * Whether the user should change something or try again: the code's own {@link ErrorCode.Fix},
     * else (a code newer than this CLI) judged by the HTTP status.
     */
    public ErrorCode.Fix fix() {
        ErrorCode known = known();
        if (known != null) {
            return known.fix();
        }
        if (status == 408 || status == 429 || status >= 500) {
            return ErrorCode.Fix.RETRY;
        }
        return status >= 400 ? ErrorCode.Fix.INPUT : ErrorCode.Fix.NONE;
    }

    public String code() {
        return code;
    }

    /** The code as this CLI's enum knows it, or null for a code newer than the CLI. */
    public ErrorCode known() {
        try {
            return ErrorCode.valueOf(code);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public boolean is(ErrorCode c) {
        return c.name().equals(code);
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }

    public String executionId() {
        return executionId;
    }

    /** Any failure as a CliError: keeps a {@link HangarException}'s code, anything else is ERR_INTERNAL. */
    public static CliError of(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof CliError e) {
                return e;
            }
            if (c instanceof HangarException e) {
                return from(e);
            }
        }
        return new CliError(ErrorCode.ERR_INTERNAL, "unexpected error: " + t, t);
    }
}
