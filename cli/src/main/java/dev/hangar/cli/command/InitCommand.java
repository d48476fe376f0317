package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar init}: Cog's starter project (cog.yaml, predict.py, .dockerignore), never over a file that exists. */
@Command(name = "init", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Start a Cog project: cog.yaml, predict.py and .dockerignore.",
                "Writes the starter files Cog's `cog init` writes into DIR (default: the current directory). "
                        + "Refuses, writing nothing, if any of them exists."})
public final class InitCommand implements Callable<Integer> {
    static final Map<String, String> FILES = files();

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "DIR", description = "The project folder (made if missing).")
    Path dir;

    /** The working directory DIR is taken from; tests point it elsewhere. */
    Path cwd = Path.of("");

    @Override
    public Integer call() {
        dir = cwd.resolve(dir);
        Output out = Output.of(spec);
        for (String name : FILES.keySet()) {
            if (Files.exists(dir.resolve(name))) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, dir.resolve(name) + " already exists; `hangar init` writes "
                        + String.join(", ", FILES.keySet()) + " only into a folder that has none of them (nothing was written)");
            }
        }
        try {
            Files.createDirectories(dir);
            for (var file : FILES.entrySet()) {
                try (InputStream in = InitCommand.class.getResourceAsStream("/dev/hangar/cli/cog/" + file.getValue())) {
                    Files.write(dir.resolve(file.getKey()), in.readAllBytes());
                }
                out.out().println("wrote " + dir.resolve(file.getKey()).normalize());
            }
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "cannot write the starter files into " + dir + ": " + e.getMessage(), e);
        }
        out.out().println("next: edit predict.py, then `hangar predict -i image=@input.png` (or `hangar build`)");
        out.out().flush();
        return 0;
    }

    private static Map<String, String> files() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cog.yaml", "cog.yaml");
        m.put("predict.py", "predict.py");
        m.put(".dockerignore", "dockerignore");
        return m;
    }
}
