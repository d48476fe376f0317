package dev.hangar.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunStatus;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The live view on a terminal: one status line at the bottom that rewrites itself (spinner,
 * state, elapsed time, last progress) with state changes and log lines printed above it, and
 * streamed tokens flowing as text on the line just above the status line.
 */
public final class LiveEventPrinter implements EventPrinter {
    static final String CLEAR_LINE = "\r\033[K";
    private static final String UP = "\033[A";
    private static final String SPINNER = "|/-\\";
    private static final long TICK_MS = 125;

    private final PrintWriter err;
    private final int width;
    private final LongSupplier millis;
    private final long start;
    private final ScheduledExecutorService ticker;
    private final Thread onInterrupt;

    private String state = "submitted";
    private String executionId;
    private long percent = -1;
    private String message;
    private boolean statusShown;
    private boolean ended;
    private int frame;
    /** Columns of streamed text since its last newline; 0 when no token line is open. */
    private int column;
    /** Whether the open token line was followed by a newline so the status line sits below it. */
    private boolean statusBelow;

    public LiveEventPrinter(PrintWriter err) {
        this(err, Terminal.width(), System::currentTimeMillis, true);
    }

    /** {@code animate=false}: no ticker thread and no Ctrl-C hook, for tests that drive it event by event. */
    LiveEventPrinter(PrintWriter err, int width, LongSupplier millis, boolean animate) {
        this.err = err;
        this.width = width;
        this.millis = millis;
        this.start = millis.getAsLong();
        if (animate) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "hangar-status");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
            onInterrupt = new Thread(this::interrupted, "hangar-interrupt");
            Runtime.getRuntime().addShutdownHook(onInterrupt);
        } else {
            ticker = null;
            onInterrupt = null;
        }
    }

    @Override
    public synchronized void onEvent(JsonNode raw, RunEvent event) {
        if (event == null || event.event() == null || ended) {
            return;
        }
        if (executionId == null) {
            executionId = event.executionId();
        }
        switch (event.event()) {
            case RunEvent.Queued q -> state(RunStatus.QUEUED.wire(), EventPrinter.queued(event, q));
            case RunEvent.Started s -> state(RunStatus.RUNNING.wire(), EventPrinter.started(event, s));
            case RunEvent.Log l -> line("  [" + l.stream() + "] " + Terminal.clean(l.line()));
            case RunEvent.Token t -> token(Terminal.clean(t.text()).replace("\t", "    "));
            case RunEvent.Progress p -> {
                percent = Math.round(p.fraction() * 100);
                message = p.message() == null ? null : Terminal.clean(p.message()).replace('\n', ' ');
            }
            case RunEvent.Output o -> {
                if (o.output() != null) {
                    line("  output " + o.output().path() + " (" + Output.size(o.output().sizeBytes()) + ")");
                }
            }
            case RunEvent.Completed c -> end(RunStatus.SUCCESS.wire(), c.envelope());
            case RunEvent.Failed f -> end(RunStatus.ERROR.wire(), f.envelope());
            case RunEvent.Canceled c -> end(RunStatus.CANCELED.wire(), c.envelope());
        }
        draw();
    }

    @Override
    public synchronized void submitted(String id) {
        executionId = id;
        draw();
    }

    @Override
    public synchronized void finish() {
        ended = true;
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (onInterrupt != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException e) {
                // already shutting down: the hook prints its note
            }
        }
        clearStatus();
        endTokens();
        err.flush();
    }

    synchronized void tick() {
        frame++;
        draw();
    }

    /** The status line as drawn now, without the escape codes. */
    synchronized String status() {
        StringBuilder b = new StringBuilder();
        b.append(SPINNER.charAt(frame % SPINNER.length())).append(' ').append(state)
                .append("  ").append(elapsed(millis.getAsLong() - start));
        if (percent >= 0) {
            b.append("  ").append(percent).append('%');
        }
        if (message != null && !message.isBlank()) {
            b.append("  ").append(message);
        }
        if (executionId != null) {
            b.append("  ").append(executionId);
        }
        return b.length() < width ? b.toString() : b.substring(0, width - 1);
    }

    private void draw() {
        if (ended || column > 0 && !statusBelow) {
            return; // the cursor is at the end of a token line that fills the width
        }
        err.print(CLEAR_LINE + status());
        statusShown = true;
        err.flush();
    }

    private void state(String next, String detail) {
        if (!next.equals(state)) {
            state = next;
            line("* " + next + "  " + detail);
        }
    }

    private void end(String status, Envelope envelope) {
        state = status;
        line("* " + status + "  " + HumanEventPrinter.ended(envelope));
        ended = true;
    }

    /** A whole line above the status line; an open token line is ended first. */
    private void line(String text) {
        clearStatus();
        endTokens();
        err.println(text);
    }

    /**
     * Tokens continue the text on the line above the status line: clear the status line, step up
     * to where the text stopped, write, and put the status line back below. Once the text reaches
     * the terminal's width the status line waits for its newline, so wrapping never misplaces it.
     */
    private void token(String text) {
        if (text.isEmpty()) {
            return;
        }
        clearStatus();
        if (column > 0 && statusBelow) {
            err.print(UP + "\r\033[" + column + "C");
        }
        err.print(text);
        for (int i = 0; i < text.length(); i++) {
            column = text.charAt(i) == '\n' ? 0 : column + 1;
        }
        statusBelow = column > 0 && column < width - 1;
        if (statusBelow) {
            err.print("\n");
        }
    }

    /** Before a whole line: leaves the open token line, if any. */
    private void endTokens() {
        if (column > 0 && !statusBelow) {
            err.println();
        }
        column = 0;
        statusBelow = false;
    }

    private void clearStatus() {
        if (statusShown) {
            err.print(CLEAR_LINE);
            statusShown = false;
        }
    }

    private void interrupted() {
        synchronized (this) {
            ended = true;
            clearStatus();
            err.println();
            err.println(executionId == null ? "interrupted" : "interrupted; the run goes on: stop it with `hangar runs cancel "
                    + executionId + "`, or follow it again with `hangar runs watch " + executionId + "`");
            err.flush();
        }
    }

    static String elapsed(long ms) {
        long s = ms / 1000;
        if (s < 60) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        return s / 60 + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
    }
}
