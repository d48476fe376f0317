package dev.hangar.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunStatus;
import java.io.PrintWriter;

/**
 * Plain progress for logs and pipes: a line per state change, log lines and streamed tokens as
 * they come, on stderr; never a carriage return or an escape code.
 */
public final class HumanEventPrinter implements EventPrinter {
    private final PrintWriter err;
    private RunStatus state;
    private boolean midLine;
    private boolean streamingTokens;
    private long lastPercent = -1;

    public HumanEventPrinter(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void onEvent(JsonNode raw, RunEvent event) {
        if (event == null || event.event() == null) {
            return; // an event type newer than this CLI: --json shows it, people need not
        }
        switch (event.event()) {
            case RunEvent.Queued q -> status(RunStatus.QUEUED, EventPrinter.queued(event, q));
            case RunEvent.Started s -> status(RunStatus.RUNNING, EventPrinter.started(event, s));
            case RunEvent.Log l -> line("  [" + l.stream() + "] " + Terminal.clean(l.line()));
            case RunEvent.Token t -> token(Terminal.clean(t.text()));
            case RunEvent.Progress p -> progress(p);
            case RunEvent.Output o -> {
                if (o.output() != null) {
                    line("  output " + o.output().path() + " (" + Output.size(o.output().sizeBytes()) + ")");
                }
            }
            case RunEvent.Completed c -> status(RunStatus.SUCCESS, ended(c.envelope()));
            case RunEvent.Failed f -> status(RunStatus.ERROR, ended(f.envelope()));
            case RunEvent.Canceled c -> status(RunStatus.CANCELED, ended(c.envelope()));
        }
        err.flush();
    }

    @Override
    public void finish() {
        endLine();
        err.flush();
    }

    private void status(RunStatus next, String detail) {
        if (next == state) {
            return;
        }
        state = next;
        line("* " + next.wire() + "  " + detail);
    }

    private void token(String text) {
        if (text == null || text.isEmpty()) {
            return;
        }
        err.print(text);
        midLine = !text.endsWith("\n");
        streamingTokens = true;
    }

    private void progress(RunEvent.Progress p) {
        if (streamingTokens) {
            return; // the tokens show progress; percentage lines would break the text apart
        }
        long percent = Math.round(p.fraction() * 100);
        if (percent != lastPercent) {
            lastPercent = percent;
            line("  progress " + percent + "%" + (p.message() == null ? "" : "  " + Terminal.clean(p.message())));
        }
    }

    private void line(String text) {
        endLine();
        err.println(text);
    }

    private void endLine() {
        if (midLine) {
            err.println();
            midLine = false;
        }
    }

    static String ended(Envelope envelope) {
        if (envelope == null) {
            return "";
        }
        if (envelope.error() != null) {
            return (envelope.error().code() == null ? "" : envelope.error().code() + ": ") + envelope.error().message();
        }
        Long ms = envelope.meta() == null ? null : envelope.meta().durationMs();
        return ms == null ? "" : "in " + Output.millis(ms);
    }
}
