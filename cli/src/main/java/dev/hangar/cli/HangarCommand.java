package dev.hangar.cli;

import dev.hangar.cli.command.CheckpointCommand;
import dev.hangar.cli.command.CompletionCommand;
import dev.hangar.cli.command.TrainRunCommand;
import dev.hangar.cli.command.ManCommand;
import dev.hangar.cli.command.PlansCommand;
import dev.hangar.cli.command.ProcessorsCommand;
import dev.hangar.cli.command.BuildCommand;
import dev.hangar.cli.command.ExecCommand;
import dev.hangar.cli.command.InitCommand;
import dev.hangar.cli.command.PredictCommand;
import dev.hangar.cli.command.ServeCommand;
import dev.hangar.cli.command.TrainCommand;
import dev.hangar.cli.command.PushCommand;
import dev.hangar.cli.command.RunCommand;
import dev.hangar.cli.command.SampleCommand;
import dev.hangar.cli.command.RunsCommand;
import dev.hangar.cli.command.SecretsCommand;
import dev.hangar.cli.command.DeployCommand;
import dev.hangar.cli.command.LoginCommand;
import dev.hangar.cli.command.LogoutCommand;
import dev.hangar.cli.command.TokensCommand;
import dev.hangar.cli.command.VersionCommand;
import dev.hangar.cli.config.ConnectionOptions;
import dev.hangar.cli.config.GatewayOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The root command; it has no action of its own, so running it bare is a usage error. */
@Command(name = "hangar", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Run containerised ML processors as jobs on a Hangar gateway.",
        subcommands = {RunCommand.class, SampleCommand.class, RunsCommand.class, PushCommand.class, BuildCommand.class, InitCommand.class,
                PredictCommand.class, TrainCommand.class, TrainRunCommand.class, CheckpointCommand.class, ExecCommand.class, ServeCommand.class, ProcessorsCommand.class,
                PlansCommand.class, SecretsCommand.class, DeployCommand.class, LoginCommand.class, LogoutCommand.class, TokensCommand.class,
                VersionCommand.class, CompletionCommand.class, ManCommand.class},
        footer = {"", "Global options go before the command (hangar --api-key K runs list) or after it,",
                "where they win. Each falls back to the environment, then the config file",
                "(~/.config/hangar/config.json, written by `hangar login`), then the default:",
                "  --base-url  $HANGAR_BASE_URL  url         http://127.0.0.1:8080",
                "  --api-key   $HANGAR_API_KEY   token       -",
                "  --timeout   $HANGAR_TIMEOUT   timeout_ms  120000",
                "Older spellings still work: --url, --token, $HANGAR_URL, $HANGAR_TOKEN.",
                "`hangar run --timeout` is the run's deadline in seconds: put the call timeout",
                "before `run`. Failed calls are retried with backoff on 408, 429, 5xx and",
                "connection errors, never on a user error; POSTs carry an Idempotency-Key.",
                "Exit status: 0 on success, 1 on any failure; the last line of an error says",
                "`check your inputs` or `consider retrying`. See docs/cli-conventions.md."})
public final class HangarCommand {
    /** The global options given before the command; commands read them through {@link ConnectionOptions}. */
    @Mixin(name = ConnectionOptions.GLOBAL)
    GatewayOptions global;
}
