package dev.hangar.cli.command;

import dev.hangar.cli.service.RunFollower;
import picocli.CommandLine;

/** Lets tests outside this package shorten the follower's waits. */
public final class RunCommandAccess {
    private RunCommandAccess() {}

    public static void cwd(CommandLine root, java.nio.file.Path cwd) {
        ((RunCommand) root.getSubcommands().get("run").getCommand()).cwd = cwd;
    }

    public static void settings(CommandLine root, RunFollower.Settings settings) {
        ((RunCommand) root.getSubcommands().get("run").getCommand()).settings = settings;
    }
}
