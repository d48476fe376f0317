package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.DockerCli;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.client.OciRegistry;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.cli.service.SpecFile;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.SpecValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar push}: build a processor's image, push it, pin its digest in the registry. */
@Command(name = "push", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Build and push a processor image, and register its spec pinned to the digest.",
                "Builds DIR/Dockerfile, pushes it as <image>:<yyyyMMdd-HHmmss> (UTC time),",
                "reads its manifest digest from the OCI registry, then stores the spec in",
                "DIR/hangar.yaml with that digest pinned for --platform."})
public final class PushCommand implements Callable<Integer> {
    static final DateTimeFormatter TAG = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "DIR",
            description = "The processor directory, holding hangar.yaml and Dockerfile (default: the current directory).")
    Path dir;

    @Option(names = "--platform", defaultValue = "amd64", paramLabel = "PLATFORM",
            converter = WireOptions.PlatformConverter.class, completionCandidates = WireOptions.Platforms.class,
            description = "The platform the digest is pinned for: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Platform platform;

    @Option(names = {"-v", "--verbose"}, description = "Stream docker's output to stderr (otherwise shown only on failure).")
    boolean verbose;

    @Option(names = "--override", description = {"Repin a version that is already pinned to another digest (as an owner of "
            + "its namespace). Without it such a push fails with ERR_VERSION_IMMUTABLE: a new image should be a new version.",
            "The override is recorded with who and when (GET /v1/processors/NS/NAME/versions/N/overrides)."})
    boolean override;

    @Option(names = "--json", description = "Print the stored processor spec as JSON.")
    boolean json;

    @Override
    public Integer call() {
        ProcessorSpec local = readSpec(dir);
        if (!Files.isRegularFile(dir.resolve("Dockerfile"))) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "no Dockerfile in " + dir);
        }
        ProcessorSpec stored;
        String digest;
        String tagged;
        Output out = Output.of(spec);
        try (GatewayClient client = gateway.client()) {
            if (client.readiness() < 0) { // fail before a long build, not after it
                throw CliError.unreachable("gateway", client.base(), null);
            }
            String tag = TAG.format(ZonedDateTime.now(ZoneOffset.UTC));
            tagged = local.image() + ":" + tag;
            DockerCli docker = new DockerCli(out.err(), verbose);
            progress(out, "building " + tagged);
            docker.build(dir, tagged);
            progress(out, "pushing " + tagged);
            docker.push(tagged);
            digest = new OciRegistry(client.http()).manifestDigest(local.image(), tag);
            stored = client.putProcessor(local.withDigest(platform, digest), override);
        }
        if (json) {
            out.json(stored);
        } else {
            out.out().println("pushed " + local.ref() + " (" + platform.wire() + ")");
            out.out().println("  image  " + local.image() + "@" + digest);
            out.out().println("  tag    " + tagged);
            out.out().flush();
        }
        return 0;
    }

    /** {@code DIR/hangar.yaml}, parsed strictly and validated exactly as the registry will. */
    static ProcessorSpec readSpec(Path dir) {
        ProcessorSpec spec = SpecFile.read(dir.resolve(SpecFile.NAME));
        SpecValidator.requireValidSpec(spec);
        return spec;
    }

    private void progress(Output out, String what) {
        if (!json || verbose) {
            out.err().println(what);
            out.err().flush();
        }
    }
}
