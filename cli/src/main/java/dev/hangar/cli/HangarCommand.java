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
import dev.hangar.cli.command.LoginCommand;
import dev.hangar.cli.command.LogoutCommand;
import dev.hangar.cli.command.TokensCommand;
import dev.hangar.cli.command.VersionCommand;
import picocli.CommandLine.Command;

/** The root command; it has no action of its own, so running it bare is a usage error. */
@Command(name = "hangar", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Run containerised ML processors as jobs on a Hangar gateway.",
        subcommands = {RunCommand.class, SampleCommand.class, RunsCommand.class, PushCommand.class, BuildCommand.class, InitCommand.class,
                PredictCommand.class, TrainCommand.class, TrainRunCommand.class, CheckpointCommand.class, ExecCommand.class, ServeCommand.class, ProcessorsCommand.class,
                PlansCommand.class, SecretsCommand.class, LoginCommand.class, LogoutCommand.class, TokensCommand.class,
                VersionCommand.class, CompletionCommand.class, ManCommand.class},
        footer = {"", "Gateway URL: --url, else $HANGAR_URL, else `url` in the config file",
                "(~/.config/hangar/config.json), else http://127.0.0.1:8080.",
                "Exit status: 0 on success, 1 on any failure."})
public final class HangarCommand {
}
