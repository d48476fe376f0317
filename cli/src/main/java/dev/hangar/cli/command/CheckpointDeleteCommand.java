package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.ErrorCode;
import java.io.Console;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar checkpoint delete PATH… [--yes]}: asks first on a terminal; without one, --yes is required. */
@Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Delete checkpoints of yours, files included. Asks for confirmation on a terminal;",
                "without a terminal (scripts), pass --yes."})
public final class CheckpointDeleteCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "hangar://<run_id>/<weights|sampler_weights>/<checkpoint_id>, one or more")
    List<String> paths;

    @Option(names = {"-y", "--yes"}, description = "Delete without asking.")
    boolean yes;

    /** The terminal to ask on; null when there is none. Tests replace it. */
    Console console = dev.hangar.cli.output.Terminal.console();

    @Override
    public Integer call() {
        List<String> checked = paths.stream().map(CheckpointCommand::path).toList();
        if (!yes && !confirmed(checked)) {
            return 1;
        }
        Output out = Output.of(spec);
        try (GatewayClient client = gateway.client()) {
            for (String p : checked) {
                client.deleteCheckpoint(p);
                out.out().println("deleted " + p);
                out.out().flush();
            }
        }
        return 0;
    }

    private boolean confirmed(List<String> checked) {
        if (console == null) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "not on a terminal, so there is no one to confirm deleting " + checked.size()
                    + " checkpoint(s); pass --yes to delete them");
        }
        String answer = console.readLine("Delete %d checkpoint(s) (%s), files included? [y/N] ", checked.size(), String.join(", ", checked));
        if (answer != null && (answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"))) {
            return true;
        }
        Output.of(spec).err().println("nothing deleted");
        Output.of(spec).err().flush();
        return false;
    }
}
