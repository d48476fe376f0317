package dev.hangar.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hangar.cli.Events;
import dev.hangar.cli.client.CliJson;
import dev.hangar.contracts.RunEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class HumanEventPrinterTest {
    final StringWriter sw = new StringWriter();
    final HumanEventPrinter printer = new HumanEventPrinter(new PrintWriter(sw));

    void feed(String frame) throws Exception {
        printer.onEvent(CliJson.parse(frame), CliJson.LENIENT.readValue(frame, RunEvent.class));
    }

    @Test
    void oneStatusLinePerStateLogsAndProgress() throws Exception {
        feed(Events.queued(1));
        feed(Events.started(2));
        feed(Events.started(3));
        feed(Events.event(1, 4, new RunEvent.Progress(0.5, "half")));
        feed(Events.event(1, 5, new RunEvent.Progress(0.501, "half")));
        feed(Events.log(6, "done"));
        feed(Events.terminal(7, Events.failure()));
        printer.finish();
        assertEquals("* queued  " + Events.ID + "  examples/echo@1 (local, mock)\n"
                + "* running  on executor-1, image " + Events.DIGEST + "\n"
                + "  progress 50%  half\n"
                + "  [stdout] done\n"
                + "* error  ERR_PROCESSOR_FAILED: predict() raised ValueError: messages must not be empty\n", sw.toString());
    }

    @Test
    void tokensFlowOnOneLineAndProgressStaysOutOfTheirWay() throws Exception {
        feed(Events.token(1, "Echo:"));
        feed(Events.event(1, 2, new RunEvent.Progress(0.5, "word 1 of 2")));
        feed(Events.token(3, " Hello"));
        feed(Events.terminal(4, Events.success()));
        assertEquals("Echo: Hello\n* success  in 812 ms\n", sw.toString());
    }
}
