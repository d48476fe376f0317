package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.DockerCli;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.LocalBuild;
import dev.hangar.contracts.ProcessorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar build}: build a processor's image on this host, without pushing, for {@code run --build}. */
@Command(name = "build", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Build a processor image locally, tagged <image>:<yyyyMMdd-HHmmss> (UTC), without pushing it,",
                "and record it so that `hangar run --build` runs the newest local build (by image id)",
                "instead of the pinned digest. The processor must be registered (`hangar push`) once."})
public final class BuildCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "DIR",
            description = "The processor directory, holding hangar.yaml and Dockerfile (default: the current directory).")
    Path dir;

    @Option(names = {"-v", "--verbose"}, description = "Stream docker's output to stderr (otherwise shown only on failure).")
    boolean verbose;

    @Option(names = "--json", description = "Print the recorded build as JSON.")
    boolean json;

    @Override
    public Integer call() {
        ProcessorSpec local = PushCommand.readSpec(dir);
        if (!Files.isRegularFile(dir.resolve("Dockerfile"))) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "no Dockerfile in " + dir);
        }
        Output out = Output.of(spec);
        LocalBuild recorded;
        try (GatewayClient client = gateway.client()) {
            if (client.readiness() < 0) {
                throw CliError.unreachable("gateway", client.base(), null);
            }
            String tagged = local.image() + ":" + PushCommand.TAG.format(ZonedDateTime.now(ZoneOffset.UTC));
            DockerCli docker = new DockerCli(out.err(), verbose);
            if (!json) {
                out.err().println("building " + tagged);
                out.err().flush();
            }
            docker.build(dir, tagged);
            recorded = client.recordBuild(local.ref(), new LocalBuild(tagged, docker.imageId(tagged), null));
        }
        if (json) {
            out.json(recorded);
        } else {
            out.out().println("built " + local.ref() + " locally");
            out.out().println("  tag    " + recorded.tag());
            out.out().println("  image  " + recorded.imageId());
            out.out().println("run it with: hangar run --ref " + local.ref() + " --build ...");
            out.out().flush();
        }
        return 0;
    }
}
