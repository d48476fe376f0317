package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.ErrorCode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hangar deploy --ref --env --oci repo@sha256:…}: deploys a processor version to an
 * environment, bound to one image digest; its subcommands read and verify deployments and sync
 * their secrets (docs/deploy.md).
 */
@Command(name = "deploy", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Deploy a processor version to an environment (dev, staging, prod), bound to one image digest.",
                "The executors of its pool pull the image by digest, verify it and keep --min-warm containers READY.",
                "Example: hangar deploy --ref examples/echo@1 --env staging --oci 127.0.0.1:5000/examples/echo@sha256:<64 hex>"},
        subcommands = {DeployVerifyCommand.class, DeployStatusCommand.class, DeployLogsCommand.class, DeploySyncSecretsCommand.class})
public final class DeployCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Mixin
    DeployTarget target;

    @Option(names = "--oci", paramLabel = "REPO@SHA256:…", description = "The image by digest (a tag is refused: it can move).")
    String oci;

    @Option(names = "--min-warm", paramLabel = "N", description = "READY containers to keep on each executor of the pool (0-32, default 0).")
    Integer minWarm;

    @Option(names = "--pool", paramLabel = "POOL", description = "The executor pool that keeps it (default: the default executors).")
    String pool;

    @Option(names = "--json", description = "Print the deployment as JSON.")
    boolean json;

    @Override
    public Integer call() {
        String ref = target.ref();
        if (oci == null) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "give --oci REPO@sha256:<64 hex digits>, the image to deploy by digest");
        }
        CliError.check("--oci", oci, () -> Deploy.OciRef.parse(oci));
        CliError.check("--min-warm", String.valueOf(minWarm), () -> Deploy.requireMinWarm(minWarm));
        Deploy.Deployment d;
        try (GatewayClient client = gateway.client()) {
            d = client.deploy(new Deploy.Request(ref, target.env(), oci, minWarm, pool, target.branch()));
        }
        Output out = Output.of(spec);
        if (json) {
            out.json(d);
            return 0;
        }
        out.out().println("deployment " + d.name() + " (" + d.env() + "): " + d.ref() + " bound to " + d.digest());
        out.out().println("status " + d.status().wire() + "; follow it with `hangar deploy status --ref " + d.ref() + " --env "
                + d.env() + "`");
        out.out().flush();
        return 0;
    }
}
