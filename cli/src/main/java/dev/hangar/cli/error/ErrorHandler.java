package dev.hangar.cli.error;

import dev.hangar.contracts.ErrorCode;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/** Turns usage errors and failures of any command into the CLI's error output and exit code 1. */
public final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {
    static final int FAILURE = 1;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
        ErrorReporter.report(CliError.of(ex), jsonRequested(parsed), cmd.getOut(), cmd.getErr());
        return FAILURE;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        var err = cmd.getErr();
        CliError e = new CliError(ErrorCode.ERR_OPTION_INVALID, ex.getMessage().replaceFirst("^Error: ", ""));
        // --json is not parsed yet: a usage error stops parsing, so look at the raw arguments.
        ErrorReporter.report(e, Arrays.asList(args).contains("--json"), cmd.getOut(), err, w -> {
            UnmatchedArgumentException.printSuggestions(ex, w);
            if (!cmd.getSubcommands().isEmpty() && ex.getMessage().startsWith("Missing required subcommand")) {
                w.print(cmd.getUsageMessage()); // a bare group: show what it offers
            }
            w.println("see '" + cmd.getCommandSpec().qualifiedName() + " --help' for the options");
        });
        return FAILURE;
    }

    private static boolean jsonRequested(ParseResult parsed) {
        ParseResult p = parsed;
        while (p != null && p.hasSubcommand()) {
            p = p.subcommand();
        }
        return p != null && p.hasMatchedOption("--json");
    }
}
