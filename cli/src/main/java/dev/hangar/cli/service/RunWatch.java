package dev.hangar.cli.service;

import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.output.EnvelopePrinter;
import dev.hangar.cli.output.EventPrinter;
import dev.hangar.cli.output.Output;
import java.net.URI;

/** What {@code hangar run} and {@code hangar runs watch} share: follow a run, print it, exit 0 iff it succeeded. */
public final class RunWatch {
    private RunWatch() {}

    public static int follow(GatewayClient client, String executionId, URI streamUri, RunFollower.Settings settings,
                             boolean json, Output out) {
        EventPrinter printer = EventPrinter.forMode(json, out.err());
        RunFollower.Outcome outcome;
        try {
            outcome = new RunFollower(client.eventStream(), client::getRun, settings)
                    .follow(executionId, streamUri, printer);
        } finally {
            printer.finish();
        }
        if (json) {
            out.json(outcome.raw());
        } else {
            EnvelopePrinter.print(outcome.envelope(), outcome.raw(), out.out());
        }
        return outcome.success() ? 0 : 1;
    }
}
