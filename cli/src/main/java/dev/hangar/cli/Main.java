package dev.hangar.cli;

import dev.hangar.cli.error.ErrorHandler;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Entry point of the {@code hangar} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        CommandLine cli = commandLine();
        // JSON must be UTF-8 whatever the locale says (a bare container often has LANG unset).
        cli.setOut(utf8(FileDescriptor.out));
        cli.setErr(utf8(FileDescriptor.err));
        int exit = cli.execute(args);
        cli.getOut().flush();
        cli.getErr().flush();
        System.exit(exit);
    }

    /** The configured command tree; tests execute it in-process with their own writers. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new HangarCommand());
        ErrorHandler errors = new ErrorHandler();
        cli.setExecutionExceptionHandler(errors);
        cli.setParameterExceptionHandler(errors);
        exitOneOnAnyFailure(cli);
        return cli;
    }

    /** Scripts only need to know success (0) from failure (1); picocli's default for usage errors is 2. */
    private static void exitOneOnAnyFailure(CommandLine cli) {
        cli.getCommandSpec().exitCodeOnInvalidInput(1).exitCodeOnExecutionException(1);
        cli.getSubcommands().values().forEach(Main::exitOneOnAnyFailure);
    }

    private static PrintWriter utf8(FileDescriptor fd) {
        return new PrintWriter(new OutputStreamWriter(new FileOutputStream(fd), StandardCharsets.UTF_8), true);
    }
}
