package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.Deploy;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hangar deploy status}: where a deployment is, since when, how many warm, how healthy. */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Show a deployment: its bound digest, status, health, and each executor that holds it (since when, warm containers, last report).")
public final class DeployStatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Mixin
    DeployTarget target;

    @Option(names = "--json", description = "Print the deployment as JSON.")
    boolean json;

    @Override
    public Integer call() {
        String ref = target.ref();
        Deploy.Deployment d;
        try (GatewayClient client = gateway.client()) {
            d = client.deploymentStatus(ref, target.env(), target.branch());
        }
        Output out = Output.of(spec);
        if (json) {
            out.json(d);
            return 0;
        }
        out.out().println(d.name() + " (" + d.env() + "): " + d.ref() + " " + d.image());
        out.out().println("status " + d.status().wire() + ", health " + d.health().wire() + ", min_warm " + d.minWarm() + ", warm "
                + d.warm() + ", pool "
                + (d.pool() == null ? "default" : d.pool()) + ", deployed by " + d.owner() + " at " + d.updatedAt());
        if (d.executors().isEmpty()) {
            out.out().println("no executor has reported it yet");
        } else {
            // an unhealthy executor's WARM is what it last said, not counted in the warm total above
            out.table(List.of("EXECUTOR", "STATE", "HEALTH", "WARM", "SINCE", "LAST REPORT", "MESSAGE"), d.executors().stream()
                    .map(p -> List.of(p.executorId(), p.state().wire(), p.health() == null ? "" : p.health().wire(),
                            String.valueOf(p.warm()), String.valueOf(p.since()), String.valueOf(p.reportedAt()),
                            p.message() == null ? "" : p.message())).toList());
        }
        out.out().flush();
        return 0;
    }
}
