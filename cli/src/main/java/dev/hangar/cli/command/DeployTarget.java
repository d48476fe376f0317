package dev.hangar.cli.command;

import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.ProcessorRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/** Which deployment a {@code hangar deploy} command means: a ref, an environment and, in dev, a branch. */
public final class DeployTarget {
    @Option(names = "--ref", paramLabel = "NS/NAME@VER", description = "The processor version, e.g. examples/echo@1.")
    String ref;

    @Option(names = "--env", paramLabel = "ENV", description = "dev, staging or prod.")
    String env;

    @Option(names = "--branch", paramLabel = "BRANCH",
            description = "The branch of a dev deployment (default: the current git branch; dev deployments are per branch and user).")
    String branch;

    /** Where `git` is asked for the branch; tests substitute it. */
    Path cwd = Path.of("");

    /** Checks --ref and --env (the contract's rules) and returns the ref's text. */
    String ref() {
        if (ref == null || env == null) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "give --ref NS/NAME@VER and --env " + String.join("|", Deploy.ENVS));
        }
        CliError.check("--ref", ref, () -> ProcessorRef.parse(ref));
        CliError.check("--env", env, () -> Deploy.requireEnv(env));
        return ref;
    }

    String env() {
        return env;
    }

    /** The branch of a dev deployment: --branch, else git's current branch, else none (the gateway then picks the caller's newest). */
    String branch() {
        if (!Deploy.DEV.equals(env)) {
            return null;
        }
        return branch != null ? branch : gitBranch(cwd);
    }

    static String gitBranch(Path cwd) {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "--abbrev-ref", "HEAD").directory(cwd.toAbsolutePath().toFile())
                    .redirectErrorStream(false).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!git.waitFor(5, TimeUnit.SECONDS) || git.exitValue() != 0 || out.isEmpty() || "HEAD".equals(out)) {
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
