package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.cog.CogBuild;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar predict}: one prediction of the Cog project in this folder (or of an image), on this host. */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run one prediction of a Cog model on this host.",
                "As `cog predict`: builds the Cog project in the current folder (the engine's cache makes an unchanged one "
                        + "quick) or takes IMAGE, checks the -i inputs against the image's schema before anything starts, runs "
                        + "the container with no network, read-only and unprivileged, shows setup's logs until it is ready, "
                        + "streams the output as it comes and writes file outputs to disk. Exit status 0 iff the prediction "
                        + "succeeded. `hangar run -i ...` in a Cog project folder does the same."})
public final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE", description = "An image built by `hangar build` or "
            + "`cog build` (default: build the project in the current folder).")
    String image;

    @Option(names = "-i", paramLabel = "NAME=VALUE", description = {"An input, typed by the schema: -i steps=20, -i scale=0.5, "
            + "-i prompt=\"a cat\"; a file input as -i image=@photo.png (sent as a data: URL) or a URL, -i image=https://... "
            + "(fetched by the CLI, the container has no network: at most $HANGAR_FETCH_MAX_BYTES, default 64 MiB);",
            "@FILE for a text input reads the file, @@ is a literal @. Repeatable."})
    List<String> inputs;

    @Option(names = {"-o", "--output"}, paramLabel = "PATH", description = "Where a file output is written (a folder for "
            + "several, and always when it ends in /; default: output.EXT, output.N.EXT in the current folder).",
            converter = OutputTarget.Converter.class)
    OutputTarget output;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "An environment variable for the container. Repeatable.")
    List<String> env;

    @Option(names = "--json", description = "Print the prediction object (Cog's) as JSON on stdout, events as NDJSON on stderr.")
    boolean json;

    /** The project folder; tests point it elsewhere. */
    Path cwd = Path.of("");

    @Override
    public Integer call() {
        return predict(CogLocal.Kind.PREDICT, spec, image, inputs, output, env, json, cwd);
    }

    static int predict(CogLocal.Kind kind, CommandSpec spec, String image, List<String> inputs, OutputTarget output, List<String> env,
                       boolean json, Path cwd) {
        Output out = Output.of(spec);
        List<TypedInputs.Assignment> assignments = TypedInputs.parse(inputs);
        List<String> environment = env == null ? List.of() : env;
        for (String e : environment) {
            if (!e.matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, "-e takes NAME=VALUE, got '" + e + "'");
            }
        }
        String ref = image;
        JsonNode schema;
        if (ref == null) {
            CogBuild.Built built = CogLocal.build(cwd, out.err(), json);
            ref = built.image();
            schema = built.schema();
        } else {
            schema = CogBuild.schemaOf(ref);
            if (schema == null) {
                throw new CliError(ErrorCode.ERR_SPEC_INVALID, ref + " has no run.cog.openapi_schema label (or no such image); "
                        + "build it with `hangar build` or `cog build`");
            }
        }
        return CogLocal.run(kind, ref, schema, assignments, environment, output, json, cwd, out);
    }
}
