package dev.hangar.cli.output;

import dev.hangar.cli.service.OutputDownloader;
import java.io.PrintWriter;
import java.util.function.LongSupplier;

/** A download's progress on a terminal: one line, redrawn at most ten times a second, cleared at the end. */
public final class ProgressBar implements OutputDownloader.Progress {
    /** Files smaller than this download too fast to need a bar. */
    public static final long THRESHOLD = 1 << 20;
    private static final int BAR = 24;
    private static final long REDRAW_MS = 100;

    private final PrintWriter err;
    private final String label;
    private final long total;
    private final int width;
    private final LongSupplier millis;
    private long done;
    private long drawnAt = Long.MIN_VALUE;

    ProgressBar(PrintWriter err, String label, long total, int width, LongSupplier millis) {
        this.err = err;
        this.label = Terminal.clean(label);
        this.total = total;
        this.width = width;
        this.millis = millis;
    }

    /** A bar on a terminal for a large file, nothing otherwise. */
    public static OutputDownloader.ProgressFactory factory(Output out) {
        if (!out.terminal()) {
            return (label, size) -> OutputDownloader.Progress.NONE;
        }
        int width = Terminal.width();
        return (label, size) -> size > THRESHOLD
                ? new ProgressBar(out.err(), label, size, width, System::currentTimeMillis) : OutputDownloader.Progress.NONE;
    }

    @Override
    public void advance(long bytes) {
        done += bytes;
        long now = millis.getAsLong();
        if (now - drawnAt >= REDRAW_MS || done >= total) {
            drawnAt = now;
            err.print(LiveEventPrinter.CLEAR_LINE + line());
            err.flush();
        }
    }

    @Override
    public void end() {
        err.print(LiveEventPrinter.CLEAR_LINE);
        err.flush();
    }

    String line() {
        double f = total <= 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(f * BAR);
        String s = "saving [" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] " + Math.round(f * 100) + "%  "
                + Output.size(done) + " / " + Output.size(total) + "  " + label;
        return s.length() < width ? s : s.substring(0, width - 1);
    }
}
