package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.output.Output;
import dev.hangar.cli.service.RunFollower;
import dev.hangar.cli.service.RunWatch;
import dev.hangar.contracts.RunDetail;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar runs watch ID}: follow an existing run exactly as {@code hangar run} does. */
@Command(name = "watch", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Follow a run until it ends (a finished run replays its events).",
                "Exit status 0 iff the run succeeded."})
public final class RunsWatchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(paramLabel = "EXECUTION_ID", description = "The run's execution id.")
    String executionId;

    @Option(names = "--json", description = "Print only the envelope (one JSON document) on stdout, and every event "
            + "as one NDJSON line on stderr.")
    boolean json;

    @Override
    public Integer call() {
        try (GatewayClient client = gateway.client()) {
            RunDetail now = client.getRun(executionId); // an unknown id fails here as ERR_RUN_NOT_FOUND
            RunFollower.Settings settings = RunFollower.Settings.DEFAULT;
            if (now.envelope().isPresent()) {
                // finished: the replay should come at once; do not wait long if this gateway keeps none
                settings = settings.withIdle(Duration.ofSeconds(2));
            }
            return RunWatch.follow(client, executionId, client.streamUri(executionId), settings, json, Output.of(spec));
        }
    }
}
