package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.RunDetail;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar runs get ID}: the envelope of a finished run, else its summary, as JSON. */
@Command(name = "get", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Print a run as JSON: its envelope once it has finished, else its summary (queued or running).")
public final class RunsGetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(paramLabel = "EXECUTION_ID", description = "The run's execution id.")
    String executionId;

    @Option(names = "--json", description = "Accepted for symmetry: the output is always JSON; errors become an error envelope on stdout.")
    boolean json;

    @Override
    public Integer call() {
        RunDetail run;
        try (GatewayClient client = gateway.client()) {
            run = client.getRun(executionId);
        }
        Optional<Envelope> envelope = run.envelope();
        Output.of(spec).json(envelope.isPresent() ? envelope.get() : run.summary().orElseThrow());
        return 0;
    }
}
