package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar exec -- CMD ARGS...}: any command inside the project's image, as {@code cog exec} (formerly {@code cog run}). */
@Command(name = "exec", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run any command inside a Cog project's image.",
                "As `cog exec`: builds the project (the cache makes an unchanged one quick), then runs CMD with the project "
                        + "folder mounted at /src, no network, as uid 10001, with a TTY when stdin and stdout are terminals. "
                        + "The exit status is the command's. Example: hangar exec -- python3 -c 'import cog; print(cog.__file__)'"})
public final class ExecCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (put -- before it).")
    List<String> command;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "An environment variable. Repeatable.")
    List<String> env;

    @Option(names = "--image", paramLabel = "IMAGE", description = "Run in this image instead of building the project.")
    String image;

    /** The project folder; tests point it elsewhere. */
    Path cwd = Path.of("");

    @Override
    public Integer call() {
        var out = dev.hangar.cli.output.Output.of(spec);
        String ref = image != null ? image : CogLocal.build(cwd, out.err(), true).image();
        List<String> cmd = new ArrayList<>(List.of("docker", "run", "--rm", "-i", "--network", "none",
                "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--user", "10001:10001",
                "--tmpfs", "/tmp:rw,nosuid,nodev,size=256m", "-v", cwd.toAbsolutePath().normalize() + ":/src", "-w", "/src"));
        boolean tty = dev.hangar.cli.output.Terminal.console() != null;
        if (tty) {
            cmd.add("-t");
        }
        for (String e : env == null ? List.<String>of() : env) {
            if (!e.matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, "-e takes NAME=VALUE, got '" + e + "'");
            }
            cmd.addAll(List.of("-e", e));
        }
        cmd.addAll(List.of("--entrypoint", command.getFirst(), ref));
        cmd.addAll(command.subList(1, command.size()));
        out.err().flush();
        try {
            if (tty) {
                return new ProcessBuilder(cmd).inheritIO().start().waitFor();
            }
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT).start();
            Thread errors = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), out.err()));
            copy(p.getInputStream(), out.out());
            errors.join();
            return p.waitFor();
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_UNAVAILABLE, "cannot run docker: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliError(ErrorCode.ERR_CANCELED, "interrupted", e);
        }
    }

    private static void copy(java.io.InputStream in, java.io.PrintWriter to) {
        try (var r = new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8)) {
            char[] buf = new char[8192];
            for (int n; (n = r.read(buf)) >= 0; ) {
                synchronized (to) {
                    to.write(buf, 0, n);
                    to.flush();
                }
            }
        } catch (IOException ignored) {
            // the process went away
        }
    }
}
