package dev.hangar.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.cli.Events;
import dev.hangar.cli.client.CliJson;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.RunEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two human views: plain lines for pipes and logs, a live status line on a terminal. */
class LiveViewTest {
    static final String ESC = "\u001B";

    final StringWriter sw = new StringWriter();
    final PrintWriter err = new PrintWriter(sw);
    final AtomicLong now = new AtomicLong(1_000_000);

    static void feed(EventPrinter p, String frame) throws Exception {
        p.onEvent(CliJson.parse(frame), CliJson.LENIENT.readValue(frame, RunEvent.class));
    }

    /** A run that does everything: logs with control characters, tokens, progress, an output. */
    static void wholeRun(EventPrinter p) throws Exception {
        feed(p, Events.queued(1));
        feed(p, Events.started(2));
        feed(p, Events.log(3, "loading\rweights " + ESC + "[31mred" + ESC + "[0m"));
        feed(p, Events.event(1, 4, new RunEvent.Progress(0.25, "quarter")));
        feed(p, Events.token(5, "Hel"));
        feed(p, Events.token(6, "lo\r" + ESC + "[2J!"));
        feed(p, Events.token(7, " world\n"));
        feed(p, Events.token(8, "next"));
        feed(p, Events.log(9, "done"));
        feed(p, Events.terminal(10, Events.success()));
        p.finish();
    }

    @Test
    void withoutATerminalTheViewIsPlainLines() throws Exception {
        EventPrinter p = EventPrinter.forMode(false, false, err);
        assertInstanceOf(HumanEventPrinter.class, p);
        wholeRun(p);
        String text = sw.toString();
        assertFalse(text.contains("\r"), text);
        assertFalse(text.contains(ESC), text);
        assertEquals("* queued  " + Events.ID + "  examples/echo@1 (local, mock)\n"
                + "* running  on executor-1, image " + Events.DIGEST + "\n"
                + "  [stdout] loadingweights red\n"
                + "  progress 25%  quarter\n"
                + "Hello! world\n"
                + "next\n"
                + "  [stdout] done\n"
                + "* success  in 812 ms\n", text);
    }

    @Test
    void onATerminalAStatusLineRewritesItselfBelowTheLines() throws Exception {
        LiveEventPrinter p = new LiveEventPrinter(err, 100, now::get, false);
        feed(p, Events.queued(1));
        assertEquals("| queued  0.0s  " + Events.ID, p.status());
        now.addAndGet(1500);
        p.tick();
        assertEquals("/ queued  1.5s  " + Events.ID, p.status(), "the spinner turns and the time runs");
        feed(p, Events.started(2));
        feed(p, Events.event(1, 3, new RunEvent.Progress(0.4, "step 4 of 10")));
        now.addAndGet(63_000);
        assertEquals("/ running  1m04s  40%  step 4 of 10  " + Events.ID, p.status());
        String text = sw.toString();
        assertTrue(text.contains("* queued  " + Events.ID), text);
        assertTrue(text.contains(LiveEventPrinter.CLEAR_LINE + "| queued  0.0s"), "drawn after \\r and erase-line: " + text);
        assertTrue(text.contains(LiveEventPrinter.CLEAR_LINE + "* running  on executor-1"),
                "a state line replaces the status line, which is drawn again below it: " + text);
    }

    @Test
    void tokensContinueOnTheLineAboveTheStatusLine() throws Exception {
        LiveEventPrinter p = new LiveEventPrinter(err, 100, now::get, false);
        feed(p, Events.started(1));
        sw.getBuffer().setLength(0);
        feed(p, Events.token(2, "Hel"));
        feed(p, Events.token(3, "lo"));
        String text = sw.toString();
        String status = "| running  0.0s  " + Events.ID;
        assertEquals(LiveEventPrinter.CLEAR_LINE + "Hel\n" + LiveEventPrinter.CLEAR_LINE + status
                + LiveEventPrinter.CLEAR_LINE + ESC + "[A\r" + ESC + "[3C" + "lo\n" + LiveEventPrinter.CLEAR_LINE + status, text);
    }

    @Test
    void aTokenLineAsWideAsTheTerminalHoldsTheStatusLineBackUntilItEnds() throws Exception {
        LiveEventPrinter p = new LiveEventPrinter(err, 20, now::get, false);
        feed(p, Events.token(1, "x".repeat(25)));
        sw.getBuffer().setLength(0);
        p.tick();
        assertEquals("", sw.toString(), "no status line while the cursor is inside wrapped text");
        feed(p, Events.token(2, "y\n"));
        assertTrue(sw.toString().startsWith("y\n" + LiveEventPrinter.CLEAR_LINE), sw.toString());
    }

    @Test
    void theEndLeavesNoStatusLineAndNoEscapesInTheText() throws Exception {
        LiveEventPrinter p = new LiveEventPrinter(err, 100, now::get, false);
        wholeRun(p);
        String text = sw.toString();
        assertTrue(text.endsWith("* success  in 812 ms\n"), text);
        String visible = text.replace(LiveEventPrinter.CLEAR_LINE, "").replaceAll(ESC + "\\[A\r" + ESC + "\\[\\d+C", "");
        assertFalse(visible.contains(ESC + "[2J") || visible.contains(ESC + "[31m"), "processor escapes are removed: " + visible);
        p.onEvent(CliJson.parse(Events.log(11, "late")), null);
        assertTrue(sw.toString().endsWith("* success  in 812 ms\n"));
    }

    @Test
    void errorsEndTheLiveViewWithTheirCode() throws Exception {
        LiveEventPrinter p = new LiveEventPrinter(err, 100, now::get, false);
        feed(p, Events.terminal(1, Events.failure()));
        p.finish();
        assertTrue(sw.toString().endsWith("* error  ERR_PROCESSOR_FAILED: predict() raised ValueError: messages must not be empty\n"));
    }

    @Test
    void theStatusLineFitsTheWidth() throws Exception {
        LiveEventPrinter p = new LiveEventPrinter(err, 30, now::get, false);
        feed(p, Events.queued(1));
        assertEquals(29, p.status().length());
    }

    @Test
    void aTerminalNeedsAConsoleATermAndATtyOnStderr(@TempDir Path tmp) throws Exception {
        Path tty = Files.createSymbolicLink(tmp.resolve("fd2"), Path.of("/dev/pts/3"));
        Path file = Files.createSymbolicLink(tmp.resolve("fd2-file"), tmp.resolve("log.txt"));
        Map<String, String> xterm = Map.of("TERM", "xterm-256color");
        assertTrue(Terminal.detect(true, xterm, tty));
        assertFalse(Terminal.detect(false, xterm, tty), "no console: stdin or stdout piped or redirected");
        assertFalse(Terminal.detect(true, Map.of("TERM", "dumb"), tty));
        assertFalse(Terminal.detect(true, Map.of(), tty), "no TERM at all");
        assertFalse(Terminal.detect(true, xterm, file), "stderr redirected to a file (2>log)");
        assertTrue(Terminal.detect(true, xterm, tmp.resolve("no-proc")), "without /proc the console decides");
        assertFalse(Terminal.stderr(), "the test JVM's stdio is piped");
    }

    @Test
    void processorTextLosesEscapesAndControlCharacters() {
        assertEquals("abc\nd\te", Terminal.clean("a" + ESC + "[1mb" + ESC + "]0;title\u0007c\r\nd\te\u0008"));
        assertEquals("10%20%", Terminal.clean("10%\r20%"), "a carriage return cannot overwrite what was printed");
    }

    @Test
    void elapsedTimeReadsWell() {
        assertEquals("0.8s", LiveEventPrinter.elapsed(812));
        assertEquals("59.9s", LiveEventPrinter.elapsed(59_900));
        assertEquals("2m05s", LiveEventPrinter.elapsed(125_000));
    }

    @Test
    void theSummaryShowsCostAndPlan() {
        StringWriter out = new StringWriter();
        Envelope.Meta meta = new Envelope.Meta("examples/echo@1", dev.hangar.contracts.Adapter.LOCAL, dev.hangar.contracts.Mode.MOCK, dev.hangar.contracts.Platform.AMD64, 1, Events.DIGEST, null, 812L, 35L,
                0.0002314, "team-a");
        Envelope env = new Envelope(dev.hangar.contracts.RunStatus.SUCCESS, Events.ID, java.util.List.of(), null, null, meta);
        EnvelopePrinter.print(env, null, new PrintWriter(out));
        assertTrue(out.toString().contains("duration:     812 ms (queued 35 ms)\n"), out.toString());
        assertTrue(out.toString().contains("cost:         0.000231 credits (plan team-a)\n"), out.toString());
    }

    @Test
    void theDownloadBarShowsShareAndSizes() {
        ProgressBar bar = new ProgressBar(err, "img/big.bin", 4L << 20, 100, now::get);
        bar.advance(1L << 20);
        assertEquals("saving [######..................] 25%  1.0 MiB / 4.0 MiB  img/big.bin", bar.line());
        bar.end();
        assertTrue(sw.toString().endsWith(LiveEventPrinter.CLEAR_LINE), sw.toString());
    }
}
