package dev.hangar.cli.service;

import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.error.ErrorReporter;
import dev.hangar.cli.output.EnvelopePrinter;
import dev.hangar.cli.output.EventPrinter;
import dev.hangar.cli.output.Output;
import dev.hangar.cli.output.QueueText;
import dev.hangar.contracts.Envelope;
import java.net.URI;
import java.util.List;

/** What {@code hangar run} and {@code hangar runs watch} share: follow a run, print it, exit 0 iff it succeeded. */
public final class RunWatch {
    private RunWatch() {}

    /** Saves a successful run's outputs ({@code --save-dir}, {@code --save-first}) before its summary is printed. */
    @FunctionalInterface
    public interface Saver {
        List<OutputDownloader.Saved> save(Envelope envelope);
    }

    /** A queued run says why it waits (held for the owner's limit, or waiting for an executor); the stream says the rest. */
    private static void printQueue(GatewayClient client, String executionId, Output out) {
        try {
            String line = QueueText.waiting(client.getRun(executionId).queue());
            if (line != null) {
                out.err().println(line);
                out.err().flush();
            }
        } catch (RuntimeException e) {
            // only a hint: the stream follows the run either way
        }
    }

    public static int follow(GatewayClient client, String executionId, URI streamUri, RunFollower.Settings settings,
                             boolean json, Output out) {
        return follow(client, executionId, streamUri, settings, json, out, null);
    }

    /**
     * A failed save makes the exit status 1 but still prints the run's envelope, so that with
     * {@code --json} stdout is one document (the envelope) and the save error goes to stderr.
     */
    public static int follow(GatewayClient client, String executionId, URI streamUri, RunFollower.Settings settings,
                             boolean json, Output out, Saver saver) {
        EventPrinter printer = EventPrinter.forMode(json, out.terminal(), out.err());
        RunFollower.Outcome outcome;
        try {
            printer.submitted(executionId);
            if (!json) {
                printQueue(client, executionId, out);
            }
            outcome = new RunFollower(client.eventStream(), client::getRun, settings)
                    .follow(executionId, streamUri, printer);
        } finally {
            printer.finish();
        }
        List<OutputDownloader.Saved> saved = List.of();
        boolean savedOk = true;
        if (saver != null && outcome.success()) {
            try {
                saved = saver.save(outcome.envelope());
            } catch (CliError e) {
                ErrorReporter.report(e.forRun(executionId), false, out.out(), out.err());
                savedOk = false;
            }
        }
        if (json) {
            out.json(outcome.json());
        } else {
            EnvelopePrinter.print(outcome.envelope(), outcome.errorCode(), out.out());
            for (int i = 0; i < saved.size(); i++) {
                OutputDownloader.Saved s = saved.get(i);
                out.out().println(String.format("%-13s %s  %s", i == 0 ? "saved:" : "", s.file(), Output.size(s.output().sizeBytes())));
            }
            out.out().flush();
        }
        return outcome.success() && savedOk ? 0 : 1;
    }
}
