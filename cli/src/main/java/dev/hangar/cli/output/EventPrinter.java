package dev.hangar.cli.output;

import dev.hangar.cli.service.RunFollower;
import java.io.PrintWriter;

/** Prints a run's events on stderr as they arrive: NDJSON with {@code --json}, else for people. */
public interface EventPrinter extends RunFollower.Listener {

    /** The run exists: its id is known before its first event. */
    default void submitted(String executionId) {}

    /** Ends any line left open (streamed tokens) once the run is over. */
    default void finish() {}

    /** NDJSON with {@code --json}; else the live view on a terminal, plain lines otherwise. */
    static EventPrinter forMode(boolean json, boolean terminal, PrintWriter err) {
        if (json) {
            return new JsonEventPrinter(err);
        }
        return terminal ? new LiveEventPrinter(err) : new HumanEventPrinter(err);
    }
}
