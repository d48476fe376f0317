package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.cog.CogBuild;
import dev.hangar.cli.cog.CogConfig;
import dev.hangar.cli.cog.CogPush;
import dev.hangar.cli.service.SpecFile;
import java.util.function.Consumer;
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
        description = {"Build a processor image locally, without pushing it.",
                "A Cog project (DIR/cog.yaml): generates the Dockerfile from cog.yaml (see --dockerfile), builds it on the "
                        + "runtime base, derives the input/output schema from the predictor's signature inside the image (no "
                        + "network) and labels the image as Cog does (run.cog.openapi_schema, run.cog.config, run.cog.version, "
                        + "...). Tagged hangar-<folder>:<yyyyMMddHHmmss> (UTC) and hangar-<folder>:latest, which `hangar "
                        + "predict` and `run` use; an unchanged project reuses its last image. When cog.yaml names the "
                        + "image: of a pushed processor, the build is also recorded for `hangar run --ref NS/NAME@N --build`.",
                "A hangar.yaml project: builds DIR/Dockerfile, tagged <image>:<yyyyMMdd-HHmmss>, and records it so that "
                        + "`hangar run --build` runs the newest local build instead of the pinned digest (register it with "
                        + "`hangar push` once). The predictor's own input_schema, when it declares one, must equal "
                        + "hangar.yaml's inputs_schema: a difference is named and nothing is recorded."})
public final class BuildCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "DIR",
            description = "The processor directory, holding cog.yaml, or hangar.yaml and Dockerfile (default: the current directory).")
    Path dir;

    @Option(names = {"-v", "--verbose"}, description = "Stream docker's output to stderr (otherwise shown only on failure).")
    boolean verbose;

    @Option(names = "--json", description = "Print the recorded build as JSON.")
    boolean json;

    @Option(names = {"-t", "--tag"}, paramLabel = "TAG", description = "Cog project: tag the image TAG (instead of hangar-<folder>:<time> and :latest).")
    String tag;

    @Option(names = "--no-cache", description = "Cog project: do not use the engine's layer cache.")
    boolean noCache;

    @Option(names = "--separate-weights", description = "Cog project: put the project's " + CogBuild.WEIGHTS_DIR + "/ folder in "
            + "its own layer before the code, so a code change neither rebuilds nor re-pushes it (its layer digest stays the same).")
    boolean separateWeights;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "Cog project: plain (docker's output as it comes) or auto (a one-line view on a terminal, else plain).")
    String progress;

    @Option(names = "--dockerfile", description = "Cog project: print the generated Dockerfile and build nothing.")
    boolean dockerfile;

    @Option(names = "--pip-wheels", paramLabel = "DIR", description = "Cog project: install python_packages from this folder of "
            + "wheels, no index (default: $HANGAR_PIP_WHEELS; else pip uses $PIP_INDEX_URL).")
    Path pipWheels;

    /** The working directory DIR is taken from; tests point it elsewhere. */
    Path cwd = Path.of("");

    @Override
    public Integer call() {
        dir = cwd.resolve(dir);
        if (Files.isRegularFile(dir.resolve(CogConfig.NAME)) && !Files.isRegularFile(dir.resolve(SpecFile.NAME))) {
            return cog();
        }
        if (dockerfile || tag != null || separateWeights || noCache) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "-t, --no-cache, --separate-weights and --dockerfile apply to a Cog "
                    + "project (a folder with cog.yaml); " + dir + " has " + SpecFile.NAME);
        }
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
            PushCommand.checkSchema(out, tagged, local);
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

    private int cog() {
        Output out = Output.of(spec);
        if (!progress.equals("plain") && !progress.equals("auto")) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--progress takes plain or auto, got '" + progress + "'");
        }
        CogConfig config = CogConfig.read(dir);
        CogBuild.Options defaults = CogBuild.Options.defaults();
        CogBuild.Options options = new CogBuild.Options(tag, noCache, separateWeights,
                pipWheels != null ? pipWheels : defaults.wheels(), defaults.pipIndexUrl(), defaults.base());
        if (dockerfile) {
            out.out().print(CogBuild.dockerfile(config, options, Files.isDirectory(dir.resolve(CogBuild.WEIGHTS_DIR))));
            out.out().flush();
            return 0;
        }
        boolean compact = progress.equals("auto") && out.terminal();
        Consumer<String> log = compact ? new StepView(out.err()) : line -> {
            out.err().println(line);
            out.err().flush();
        };
        CogBuild.Built built = CogBuild.build(dir, config, options, log, json ? null : out.err());
        if (compact) {
            out.err().println();
        }
        String recorded = record(config, built, out);
        if (json) {
            var node = dev.hangar.contracts.Json.MAPPER.createObjectNode();
            if (recorded != null) {
                node.put("recorded_for", recorded);
            }
            node.put("image_id", built.image());
            node.putPOJO("tags", built.tags());
            node.put("reused", built.reused());
            node.set("openapi_schema", built.schema());
            out.json(node);
        } else {
            out.out().println((built.reused() ? "unchanged since the last build: " : "built ") + String.join(", ", built.tags()));
            out.out().println("  image  " + built.image());
            out.out().println("run it with: hangar predict" + CogInputs.names(built.schema(), "Input").stream()
                    .map(n -> " -i " + n + "=...").reduce("", String::concat));
            if (recorded != null) {
                out.out().println("recorded for the platform: hangar run --ref " + recorded + " --build ... runs this build");
            }
        }
        out.out().flush();
        return 0;
    }

    /**
     * When cog.yaml names the {@code image} and that processor is registered, records this build
     * for its newest version, so {@code hangar run --ref NS/NAME@N --build} runs it (on this
     * engine). Best effort: a local build never fails for want of a gateway; returns the ref or null.
     */
    private String record(CogConfig config, CogBuild.Built built, Output out) {
        if (config.image() == null) {
            return null;
        }
        try (GatewayClient client = gateway.client()) {
            CogPush.Target target = CogPush.Target.parse(config.image());
            if (client.readiness() < 0) {
                return null;
            }
            var latest = client.listProcessors().stream()
                    .filter(p -> p.ref().namespace().equals(target.namespace()) && p.ref().name().equals(target.name()))
                    .max(java.util.Comparator.comparingInt(p -> p.ref().version())).orElse(null);
            if (latest == null) {
                return null;
            }
            // the platform names local builds <repository>:<time>, as `hangar build` of a hangar.yaml project tags them
            String tagged = target.repository() + ":" + PushCommand.TAG.format(ZonedDateTime.now(ZoneOffset.UTC));
            dev.hangar.cli.cog.Docker.require(java.util.List.of("docker", "tag", built.image(), tagged), "docker tag");
            client.recordBuild(latest.ref(), new LocalBuild(tagged, built.image(), null));
            return latest.ref().toString();
        } catch (CliError e) {
            if (!json) {
                out.err().println("note: not recorded for `hangar run --build` (" + e.getMessage() + ")");
                out.err().flush();
            }
            return null;
        }
    }

    /** The compact progress view: docker's current step on one line, rewritten as the build goes. */
    static final class StepView implements Consumer<String> {
        private final java.io.PrintWriter err;

        StepView(java.io.PrintWriter err) {
            this.err = err;
        }

        @Override
        public void accept(String line) {
            if (line.startsWith("Step ")) {
                String shown = line.length() > 100 ? line.substring(0, 97) + "..." : line;
                err.print("\r\033[2K" + shown);
                err.flush();
            }
        }
    }
}
