package dev.hangar.cli.output;

import dev.hangar.cli.service.RunFollower;
import dev.hangar.contracts.RunEvent;
import java.io.PrintWriter;

/** Prints a run's events on stderr as they arrive: NDJSON with {@code --json}, else for people. */
public interface EventPrinter extends RunFollower.Listener {

    /** The run exists: its id is known before its first event. */
    default void submitted(String executionId) {}

    /** Ends any line left open (streamed tokens) once the run is over. */
    default void finish() {}

    /** The line of a queued event: the run, the processor, where and how it runs. */
    static String queued(RunEvent event, RunEvent.Queued q) {
        return event.executionId() + "  " + q.ref() + " (" + q.adapter().wire() + ", " + q.mode().wire() + ")"
                + (q.waiting() == null ? "" : ": " + q.waiting());
    }

    /** The line of a started event: where, which image, which attempt after the first. */
    static String started(RunEvent event, RunEvent.Started s) {
        return "on " + s.executor() + ", image " + s.imageDigest() + (event.attempt() > 1 ? ", attempt " + event.attempt() : "");
    }

    /** NDJSON with {@code --json}; else the live view on a terminal, plain lines otherwise. */
    static EventPrinter forMode(boolean json, boolean terminal, PrintWriter err) {
        if (json) {
            return new JsonEventPrinter(err);
        }
        return terminal ? new LiveEventPrinter(err) : new HumanEventPrinter(err);
    }
}
