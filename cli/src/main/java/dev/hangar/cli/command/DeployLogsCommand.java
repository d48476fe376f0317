package dev.hangar.cli.command;

import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hangar deploy logs}: the deployment's events and the log lines of its runs. */
@Command(name = "logs", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Print a deployment's events (deployed, verified, failed per executor) and the log lines of the runs",
                "in its environment (runs submitted with --env), oldest first."})
public final class DeployLogsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Mixin
    DeployTarget target;

    @Option(names = "--follow", description = "Keep printing new lines until interrupted.")
    boolean follow;

    @Option(names = "--since", paramLabel = "WHEN", description = "Only lines after WHEN: an instant (2026-12-01T10:00:00Z) or a duration ago (10m, 2h).")
    String since;

    @Option(names = "--limit", paramLabel = "N", description = "At most N lines per page (1-1000, default 1000).")
    Integer limit;

    @Option(names = "--json", description = "One JSON line per log line (NDJSON).")
    boolean json;

    /** Between two polls of --follow. */
    Duration interval = Duration.ofSeconds(1);

    @Override
    public Integer call() throws InterruptedException {
        String ref = target.ref();
        Instant cursor = since == null ? null : since(since, Instant.now());
        Output out = Output.of(spec);
        try (GatewayClient client = gateway.client()) {
            do {
                var page = client.deploymentLogs(ref, target.env(), target.branch(), cursor, limit);
                for (var line : page.lines()) {
                    out.out().println(json ? dev.hangar.contracts.Json.write(line) : format(line));
                }
                out.out().flush();
                cursor = page.next();
                if (follow) {
                    Thread.sleep(interval);
                }
            } while (follow);
        }
        return 0;
    }

    static String format(Deploy.LogLine line) {
        return line.at() + " " + line.source() + (line.executionId() == null ? "" : " " + line.executionId()) + " "
                + line.level() + " " + line.message();
    }

    /** An instant, or a duration before {@code now} (30s, 10m, 2h, 1d). */
    static Instant since(String text, Instant now) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notAnInstant) {
            var m = java.util.regex.Pattern.compile("([0-9]{1,9})([smhd])").matcher(text);
            if (!m.matches()) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--since '" + text + "' must be an instant (2026-12-01T10:00:00Z) "
                        + "or a duration such as 30s, 10m, 2h, 1d");
            }
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return now.minus(d);
        }
    }
}
