package dev.hangar.cli.error;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.cli.client.CliJson;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Problem;
import java.io.PrintWriter;
import java.util.function.Consumer;

/**
 * Prints a failure: {@code error: CODE: detail}, one line per failing field, then the code's hint,
 * which ends in what to do: {@code check your inputs} for a user error (the request must change),
 * {@code consider retrying} for a server-side or transient one; on stderr. With {@code --json}
 * also an error envelope on stdout, so a script always gets one JSON document.
 */
public final class ErrorReporter {
    /** The end of a user error's last line. */
    public static final String CHECK_INPUTS = "check your inputs";
    /** The end of a server-side or transient error's last line. */
    public static final String CONSIDER_RETRYING = "consider retrying";

    private ErrorReporter() {}

    public static void report(CliError e, boolean json, PrintWriter out, PrintWriter err) {
        report(e, json, out, err, w -> {});
    }

    /** As above; {@code details} prints more (usage, suggestions) before the hint, which stays the last line. */
    public static void report(CliError e, boolean json, PrintWriter out, PrintWriter err, Consumer<PrintWriter> details) {
        err.println("error: " + e.code() + ": " + e.getMessage());
        for (Problem.FieldError f : e.errors()) {
            err.println("  " + f.path() + ": " + f.message());
        }
        if (e.executionId() != null) {
            err.println("execution id: " + e.executionId());
        }
        details.accept(err);
        if (System.getenv("HANGAR_DEBUG") != null && e.getCause() != null) {
            e.getCause().printStackTrace(err);
        }
        err.println("hint: " + advice(e.known(), e.fix()));
        err.flush();
        if (json) {
            out.println(CliJson.pretty(envelope(e)));
            out.flush();
        }
    }

    /** The contract's error envelope, {@code {"status","execution_id","error":{"code","message"}}}. */
    public static ObjectNode envelope(CliError e) {
        return CliJson.envelope(Envelope.error(e.executionId(), e.known(), e.getMessage(), null, null), e.code());
    }

    /** The code's one-sentence hint, ending in whether to fix the input or retry. */
    public static String advice(ErrorCode code) {
        return advice(code, code == null ? ErrorCode.Fix.NONE : code.fix());
    }

    static String advice(ErrorCode code, ErrorCode.Fix fix) {
        String hint = code == null ? "this CLI does not know that error code; see the message above" : code.hint();
        if (hint.endsWith(".")) {
            hint = hint.substring(0, hint.length() - 1);
        }
        return switch (fix) {
            case INPUT -> hint + "; " + CHECK_INPUTS;
            case RETRY -> hint + "; " + CONSIDER_RETRYING;
            case NONE -> hint;
        };
    }
}
