package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hangar deploy sync-secrets}: the secrets the spec names, from the caller's environment
 * (or a file of NAME=value lines), stored sealed for the deployment's environment. Only the
 * names the spec requires are read and sent; output lists names, never values.
 */
@Command(name = "sync-secrets", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Store the secrets a deployment's spec names, for its environment, from your environment variables",
                "of the same names (or --from-file F with NAME=value lines). Real-mode runs in that environment get them.",
                "--check reports what would change and changes nothing; missing names are listed (never values)."})
public final class DeploySyncSecretsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Mixin
    DeployTarget target;

    @Option(names = "--check", description = "Report what would change; change nothing.")
    boolean check;

    @Option(names = "--fail-on-missing", description = "Exit 1 (ERR_MISSING_SECRET) when a name the spec requires has no value; nothing is stored then.")
    boolean failOnMissing;

    @Option(names = "--prune", description = "Remove the environment's secrets the spec no longer names.")
    boolean prune;

    @Option(names = "--from-file", paramLabel = "F", description = "Read NAME=value lines (# comments) instead of the environment.")
    Path fromFile;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    Map<String, String> env = System.getenv();

    @Override
    public Integer call() {
        String ref = target.ref();
        Output out = Output.of(spec);
        try (GatewayClient client = gateway.client()) {
            ProcessorSpec processor = client.getProcessor(ProcessorRef.parse(ref));
            Map<String, String> source = fromFile == null ? env : file(fromFile);
            var values = new LinkedHashMap<String, String>();
            for (String name : processor.secrets()) {
                String value = source.get(name);
                if (value != null && !value.isEmpty()) {
                    values.put(name, value);
                }
            }
            // with --fail-on-missing nothing is stored unless nothing is missing: ask first
            boolean dryRunFirst = failOnMissing && !check;
            var report = client.syncSecrets(new Deploy.SecretSync(ref, target.env(), values, check || dryRunFirst, prune));
            if (failOnMissing && !report.missing().isEmpty()) {
                print(out, report);
                throw new CliError(ErrorCode.ERR_MISSING_SECRET, "no value for " + String.join(", ", report.missing())
                        + ": set each as an environment variable of that name (or a NAME=value line of --from-file)");
            }
            if (dryRunFirst) {
                report = client.syncSecrets(new Deploy.SecretSync(ref, target.env(), values, false, prune));
            }
            print(out, report);
        }
        return 0;
    }

    private void print(Output out, Deploy.SecretReport report) {
        if (json) {
            out.json(report);
            return;
        }
        String verb = report.applied() ? "" : "would be ";
        line(out, verb + "added", report.added());
        line(out, verb + "updated", report.updated());
        line(out, "unchanged", report.unchanged());
        line(out, verb + "pruned", report.pruned());
        line(out, "missing", report.missing());
        line(out, "not named by the spec (ignored)", report.extra());
        out.out().flush();
    }

    private static void line(Output out, String what, List<String> names) {
        if (!names.isEmpty()) {
            out.out().println(what + ": " + String.join(", ", names));
        }
    }

    static Map<String, String> file(Path path) {
        try {
            var values = new LinkedHashMap<String, String>();
            for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                int eq = t.indexOf('=');
                if (eq <= 0) {
                    throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--from-file " + path + ": a line is not NAME=value");
                }
                values.put(t.substring(0, eq).strip(), t.substring(eq + 1));
            }
            return values;
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--from-file " + path + ": cannot read it: " + e.getMessage(), e);
        }
    }
}
