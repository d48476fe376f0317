package dev.hangar.cli.error;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.cli.client.CliJson;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Problem;
import java.io.PrintWriter;

/**
 * Prints a failure: {@code error: CODE: detail}, one line per failing field and what to do, on
 * stderr; with {@code --json} also an error envelope on stdout, so a script always gets one
 * JSON document.
 */
public final class ErrorReporter {
    private ErrorReporter() {}

    public static void report(CliError e, boolean json, PrintWriter out, PrintWriter err) {
        err.println("error: " + e.code() + ": " + e.getMessage());
        for (Problem.FieldError f : e.errors()) {
            err.println("  " + f.path() + ": " + f.message());
        }
        if (e.executionId() != null) {
            err.println("execution id: " + e.executionId());
        }
        err.println(advice(e.known()));
        if (System.getenv("HANGAR_DEBUG") != null && e.getCause() != null) {
            e.getCause().printStackTrace(err);
        }
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

    /** Whether to fix the input or retry, and the code's one-sentence hint. */
    public static String advice(ErrorCode code) {
        if (code == null) {
            return "this CLI does not know that error code; see the message above";
        }
        return switch (code.fix()) {
            case INPUT -> "fix the input and try again: " + code.hint();
            case RETRY -> "retry later, the input is fine: " + code.hint();
            case NONE -> code.hint();
        };
    }
}
