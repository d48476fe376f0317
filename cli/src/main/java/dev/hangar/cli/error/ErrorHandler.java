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
            if (samplingSpelling(cmd, args)) {
                w.println("'hangar run' runs a processor (--ref ns/name@ver); to sample a model use "
                        + "'hangar sample --base-model ID --prompt TEXT' (or --model-path hangar://…), see docs/sampling.md");
            }
            if (!cmd.getSubcommands().isEmpty() && ex.getMessage().startsWith("Missing required subcommand")) {
                w.print(cmd.getUsageMessage()); // a bare group: show what it offers
            }
            w.println("see '" + cmd.getCommandSpec().qualifiedName() + " --help' for the options");
        });
        return FAILURE;
    }

    /** tinkex's {@code run --base-model … --prompt …}, given to Hangar's processor {@code run}. */
    private static boolean samplingSpelling(CommandLine cmd, String[] args) {
        return "run".equals(cmd.getCommandName()) && cmd.getParent() != null && cmd.getParent().getParent() == null
                && Arrays.stream(args).anyMatch(a -> a.startsWith("--base-model") || a.startsWith("--model-path")
                        || a.startsWith("--prompt"));
    }

    private static boolean jsonRequested(ParseResult parsed) {
        ParseResult p = parsed;
        while (p != null && p.hasSubcommand()) {
            p = p.subcommand();
        }
        return p != null && p.hasMatchedOption("--json");
    }
}
