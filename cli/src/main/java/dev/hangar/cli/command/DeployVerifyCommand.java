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

/** {@code hangar deploy verify-digest}: is this image the deployed one (and in the OCI registry)? */
@Command(name = "verify-digest", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Compare an image digest with the one a deployment is bound to, and check the OCI registry holds it.",
                "Prints the JSON match report; exit 0 on a match, 1 with ERR_REGISTRY_MISMATCH and both digests otherwise."})
public final class DeployVerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Mixin
    DeployTarget target;

    @Option(names = "--oci", paramLabel = "REPO@SHA256:…", description = "The image to check, by digest.")
    String oci;

    @Option(names = "--json", description = "Errors as JSON too (the report is always JSON).")
    boolean json;

    @Override
    public Integer call() {
        String ref = target.ref();
        if (oci == null) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "give --oci REPO@sha256:<64 hex digits>, the image to check");
        }
        CliError.check("--oci", oci, () -> Deploy.OciRef.parse(oci));
        Deploy.VerifyReport report;
        try (GatewayClient client = gateway.client()) {
            report = client.verifyDeployment(new Deploy.VerifyRequest(ref, target.env(), oci, target.branch()));
        }
        Output.of(spec).json(report);
        if (!report.match()) {
            throw new CliError(ErrorCode.ERR_REGISTRY_MISMATCH, report.name() + " in " + report.env() + " is bound to "
                    + report.deployedDigest() + ", not " + report.givenDigest()
                    + (report.ociHasManifest() ? "" : " (and the OCI registry has no manifest " + report.givenDigest() + ")"));
        }
        return 0;
    }
}
