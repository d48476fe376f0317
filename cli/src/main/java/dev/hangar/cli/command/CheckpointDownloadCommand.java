package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.output.Output;
import dev.hangar.cli.output.ProgressBar;
import dev.hangar.cli.service.CheckpointDownload;
import dev.hangar.contracts.CheckpointPath;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar checkpoint download PATH [--output DIR] [--force]}. */
@Command(name = "download", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Download a checkpoint (yours, or a published one) as an archive, verify its sha256 and",
                "extract it safely into a folder (default: ./<checkpoint_id>). An existing folder is refused without --force."})
public final class CheckpointDownloadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(paramLabel = "PATH", description = "hangar://<run_id>/<weights|sampler_weights>/<checkpoint_id>")
    String path;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "The folder to extract into (default: ./<checkpoint_id>).")
    Path output;

    @Option(names = "--force", description = "Replace the folder if it exists.")
    boolean force;

    @Option(names = "--json", description = "Print {path, output, sha256, size_bytes} as JSON.")
    boolean json;

    @Override
    public Integer call() {
        CheckpointPath checked = dev.hangar.cli.error.CliError.check(() -> CheckpointPath.parse(path));
        Path target = output != null ? output : Path.of(checked.checkpointId());
        Output out = Output.of(spec);
        dev.hangar.contracts.Checkpoint.Archive archive;
        try (GatewayClient client = gateway.client()) {
            archive = new CheckpointDownload(client, ProgressBar.factory(out)).download(checked.toString(), target, force);
        }
        if (json) {
            out.json(java.util.Map.of("path", archive.path(), "output", target.toAbsolutePath().toString(), "sha256", archive.sha256(),
                    "size_bytes", archive.sizeBytes()));
        } else {
            out.out().println("downloaded " + archive.path() + " (" + Output.size(archive.sizeBytes()) + ", sha256 " + archive.sha256()
                    + " verified) into " + target.toAbsolutePath());
            out.out().flush();
        }
        return 0;
    }
}
