package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.RunControl;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar runs cancel ID}: ask the gateway to stop a run. */
@Command(name = "cancel", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Cancel a queued or running run; its envelope will say canceled.",
                "Exit status 0 when the gateway accepted the cancel (HTTP 202), 1 otherwise",
                "(an unknown id is ERR_RUN_NOT_FOUND, a finished run ERR_RUN_FINISHED)."})
public final class RunsCancelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(paramLabel = "EXECUTION_ID", description = "The run's execution id.")
    String executionId;

    @Option(names = "--json", description = "Print the gateway's answer {\"execution_id\",\"status\"} as JSON.")
    boolean json;

    @Override
    public Integer call() {
        RunControl.Accepted accepted;
        try (GatewayClient client = gateway.client()) {
            accepted = client.cancelRun(executionId);
        }
        Output out = Output.of(spec);
        if (json) {
            out.json(accepted);
        } else {
            out.out().println("cancel requested: " + accepted.executionId() + " (status " + accepted.status() + ")");
            out.out().flush();
        }
        return 0;
    }
}
