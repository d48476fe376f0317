package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.cog.CogBuild;
import dev.hangar.cli.cog.CogConfig;
import dev.hangar.cli.cog.CogPush;
import dev.hangar.cli.cog.DeclaredSchema;
import java.util.List;
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
                "DIR/hangar.yaml with that digest pinned for --platform. Before pushing, the built image's predictor",
                "must declare the same input schema as hangar.yaml's inputs_schema (a difference is named; nothing is pushed).",
                "In a Cog project folder (cog.yaml, no hangar.yaml): `hangar push [IMAGE]`, IMAGE = [REGISTRY/]NS/NAME "
                        + "(default: cog.yaml's image:; registry 127.0.0.1:5000) builds as `hangar build`, pushes, and registers "
                        + "NS/NAME at the next version with the schema the build derived as its inputs_schema; an image equal "
                        + "to the newest version's pin pushes nothing. Then: hangar run --ref NS/NAME@VERSION -i ..."})
public final class PushCommand implements Callable<Integer> {
    static final DateTimeFormatter TAG = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "DIR",
            description = "The processor directory, holding hangar.yaml and Dockerfile, or a Cog project (cog.yaml); in a Cog "
                    + "project folder, the IMAGE to push to (default: the current directory).")
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

    @Option(names = "--context", paramLabel = "CONTEXT", description = {"The docker build context (default: DIR itself); "
            + "DIR/Dockerfile stays the Dockerfile and must lie inside it.",
            "E.g. a processor built on another one's files: push models/tiny-lm/train --context models/tiny-lm."})
    Path context;

    @Option(names = "--build-arg", paramLabel = "NAME=VALUE", description = "A docker build argument (repeatable), e.g. "
            + "--build-arg BASE=127.0.0.1:5000/hangar/tiny-lm@sha256:...")
    java.util.Map<String, String> buildArgs = new java.util.LinkedHashMap<>();

    @Option(names = "--separate-weights", description = "Cog project: the weights/ folder in its own layer (see hangar build).")
    boolean separateWeights;

    /** The working directory (the Cog project when DIR is an image name); tests point it elsewhere. */
    Path cwd = Path.of("");

    @Override
    public Integer call() {
        Path project = cwd.resolve(dir);
        if (isCog(project)) {
            return cog(project, null);
        }
        if (!Files.isDirectory(project) && isCog(cwd)) {
            return cog(cwd, dir.toString());
        }
        ProcessorSpec local = readSpec(dir);
        if (!Files.isRegularFile(dir.resolve("Dockerfile"))) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "no Dockerfile in " + dir);
        }
        Path buildContext = buildContext();
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
            docker.build(dir.resolve("Dockerfile"), buildContext, buildArgs, tagged);
            checkSchema(out, tagged, local);
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

    /**
     * The schema written twice, in hangar.yaml and in the predictor, must agree: checked in the built
     * image before anything is pushed (an unmodified Cog image, {@code server: cog-http}, is not Hangar's
     * runtime and is not checked).
     */
    static void checkSchema(Output out, String image, ProcessorSpec local) {
        if (local.cogHttp()) {
            return;
        }
        String notChecked = DeclaredSchema.check(image, local.inputsSchema());
        if (notChecked != null) {
            out.err().println("warning: inputs_schema not checked against the image (" + notChecked + ")");
            out.err().flush();
        }
    }

    /** --context, checked: a folder that holds DIR (docker reads the Dockerfile from inside the context); DIR without it. */
    private Path buildContext() {
        buildArgs.forEach((name, value) -> {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--build-arg name '" + name + "' must be a variable name");
            }
        });
        if (context == null) {
            return dir;
        }
        if (!Files.isDirectory(context)) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--context " + context + " is not a folder");
        }
        Path folder = dir.toAbsolutePath().normalize();
        if (!folder.startsWith(context.toAbsolutePath().normalize())) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--context " + context + " must contain " + dir
                    + " (its Dockerfile is read from inside the build context)");
        }
        return context;
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

    private static boolean isCog(Path dir) {
        return Files.isRegularFile(dir.resolve(CogConfig.NAME)) && !Files.isRegularFile(dir.resolve(SpecFile.NAME));
    }

    private int cog(Path project, String image) {
        Output out = Output.of(spec);
        CogConfig config = CogConfig.read(project);
        CogPush.Target target = CogPush.Target.parse(image != null ? image : config.image());
        try (GatewayClient client = gateway.client()) {
            if (client.readiness() < 0) {
                throw CliError.unreachable("gateway", client.base(), null);
            }
            CogBuild.Options d = CogBuild.Options.defaults();
            CogBuild.Built built = CogBuild.build(project, config,
                    new CogBuild.Options(null, false, separateWeights, d.wheels(), d.pipIndexUrl(), d.base()),
                    verbose ? line -> {
                        out.err().println(line);
                        out.err().flush();
                    } : line -> { }, json ? null : out.err());
            ProcessorSpec latest = client.listProcessors().stream()
                    .filter(p -> p.ref().namespace().equals(target.namespace()) && p.ref().name().equals(target.name()))
                    .max(java.util.Comparator.comparingInt(p -> p.ref().version())).orElse(null);
            String pinned = latest == null ? null : latest.digests().get(platform.wire());
            if (pinned != null && pushedAs(built.image(), target.repository()).contains(pinned)) {
                return unchanged(out, latest, pinned);
            }
            String tag = TAG.format(ZonedDateTime.now(ZoneOffset.UTC));
            String tagged = target.repository() + ":" + tag;
            dev.hangar.cli.cog.Docker.require(List.of("docker", "tag", built.image(), tagged), "docker tag");
            progress(out, "pushing " + tagged);
            new DockerCli(out.err(), verbose).push(tagged);
            String digest = new OciRegistry(client.http()).manifestDigest(target.repository(), tag);
            if (digest.equals(pinned)) {
                return unchanged(out, latest, pinned);
            }
            int version = latest == null ? 1 : latest.ref().version() + 1;
            ProcessorSpec stored = client.putProcessor(CogPush.spec(target, version, config, built.schema(), platform, digest), override);
            if (json) {
                out.json(stored);
            } else {
                out.out().println("pushed " + stored.ref() + " (" + platform.wire() + ")");
                out.out().println("  image  " + target.repository() + "@" + digest);
                out.out().println("  tag    " + tagged);
                out.out().println("run it with: hangar run --ref " + stored.ref() + CogInputs.names(built.schema(), "Input").stream()
                        .map(n -> " -i " + n + "=...").reduce("", String::concat));
            }
            out.out().flush();
            return 0;
        }
    }

    private int unchanged(Output out, ProcessorSpec latest, String digest) {
        if (json) {
            out.json(latest);
        } else {
            out.out().println("unchanged: " + latest.ref() + " is already this image (" + digest + "); nothing pushed");
            out.out().flush();
        }
        return 0;
    }

    /** The digests this local image is known under in {@code repository} (from earlier pushes by this engine). */
    private static List<String> pushedAs(String imageId, String repository) {
        String digests = dev.hangar.cli.cog.Docker.inspect(imageId, "{{range .RepoDigests}}{{println .}}{{end}}");
        if (digests == null) {
            return List.of();
        }
        return digests.lines().map(String::strip).filter(l -> l.startsWith(repository + "@"))
                .map(l -> l.substring(repository.length() + 1)).toList();
    }
}
