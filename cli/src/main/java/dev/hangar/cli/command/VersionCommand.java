package dev.hangar.cli.command;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.output.Output;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hangar version}: the CLI's version and commit, and (as text) whether the gateway answers. */
@Command(name = "version", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Print the CLI version, the git commit it was built from, and whether the gateway is ready.",
                "The gateway is asked GET /q/health/ready (not with --json, which needs no gateway).",
                "Exits 0 even when the gateway is down: this only reports."})
public final class VersionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Option(names = "--json", description = {"Print {\"version\",\"commit\"} as JSON; commit is the 7-character git commit, "
            + "or null when the CLI was not built from git."})
    boolean json;

    @Override
    public Integer call() {
        Output out = Output.of(spec);
        if (json) {
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            node.put("version", VersionProvider.version());
            node.put("commit", VersionProvider.commit());
            out.json(node);
            return 0;
        }
        URI url;
        int status;
        try (GatewayClient client = gateway.client()) {
            url = client.base();
            status = client.readiness();
        }
        String state = status < 0 ? "unreachable" : status == 200 ? "ready" : "not ready (HTTP " + status + ")";
        out.out().println(new VersionProvider().getVersion()[0]);
        out.out().println("gateway " + url + ": " + state);
        out.out().flush();
        return 0;
    }
}
