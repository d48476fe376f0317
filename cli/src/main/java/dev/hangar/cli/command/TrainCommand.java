package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar train}: run the project's training entry point ({@code train:} in cog.yaml) once, locally. */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run a Cog project's training once on this host and save the weights.",
                "As `cog train`: builds the project, checks the -i inputs against the image's TrainingInput schema (from "
                        + "cog.yaml's `train:`), runs it with no network and saves the produced weights (file outputs) to -o "
                        + "(default: the folder weights/)."})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE", description = "An image built by `hangar build` "
            + "(default: build the project in the current folder).")
    String image;

    @Option(names = "-i", paramLabel = "NAME=VALUE", description = "A training input, typed by the schema; -i data=@train.txt for a file. Repeatable.")
    List<String> inputs;

    @Option(names = {"-o", "--output"}, paramLabel = "PATH",
            description = "Where the produced weights go: a file for one output, else a folder, always when it ends in / "
                    + "(default: the folder weights/).", converter = OutputTarget.Converter.class)
    OutputTarget output;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "An environment variable for the container. Repeatable.")
    List<String> env;

    @Option(names = "--json", description = "Print the training object as JSON on stdout.")
    boolean json;

    /** The project folder; tests point it elsewhere. */
    Path cwd = Path.of("");

    @Override
    public Integer call() {
        OutputTarget target = output;
        if (target == null) {
            target = OutputTarget.folder(Path.of("weights"));
            try {
                java.nio.file.Files.createDirectories(cwd.resolve(target.path()));
            } catch (java.io.IOException e) {
                throw new dev.hangar.cli.error.CliError(dev.hangar.contracts.ErrorCode.ERR_OPTION_INVALID,
                        "cannot make " + cwd.resolve(target.path()) + ": " + e.getMessage(), e);
            }
        }
        return PredictCommand.predict(CogLocal.Kind.TRAIN, spec, image, inputs, target, env, json, cwd);
    }
}
