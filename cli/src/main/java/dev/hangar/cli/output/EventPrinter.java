package dev.hangar.cli.output;

import dev.hangar.cli.service.RunFollower;
import java.io.PrintWriter;

/** Prints a run's events on stderr as they arrive: NDJSON with {@code --json}, else for people. */
public interface EventPrinter extends RunFollower.Listener {

    /** Ends any line left open (streamed tokens) once the run is over. */
    default void finish() {}

    static EventPrinter forMode(boolean json, PrintWriter err) {
        return json ? new JsonEventPrinter(err) : new HumanEventPrinter(err);
    }
}
