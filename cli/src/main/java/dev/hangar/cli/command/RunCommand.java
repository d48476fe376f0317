package dev.hangar.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.output.Output;
import dev.hangar.cli.service.RunFollower;
import dev.hangar.cli.service.RunWatch;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.RunAccepted;
import dev.hangar.contracts.RunRequest;
import dev.hangar.contracts.WritePrefix;
import java.io.InputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hangar run}: submit a run, follow its events, print its envelope. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run a processor and follow it until it ends.",
                "Events stream to stderr as they happen; the result goes to stdout. Exit status 0 iff the run succeeded."})
public final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Option(names = "--ref", required = true, paramLabel = "NS/NAME@VER",
            description = "The processor version to run, e.g. examples/echo@1.")
    String ref;

    @Option(names = "--adapter", defaultValue = "local", paramLabel = "ADAPTER",
            description = "Where it runs: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Choices.Adapter adapter;

    @Option(names = "--mode", defaultValue = "mock", paramLabel = "MODE",
            description = "mock (no network, deterministic) or real (default: ${DEFAULT-VALUE}).")
    Choices.Mode mode;

    @Option(names = "--platform", paramLabel = "PLATFORM",
            description = "Image platform: ${COMPLETION-CANDIDATES} (default: the executor host's).")
    Choices.Platform platform;

    @Option(names = "--write-prefix", paramLabel = "PREFIX",
            description = "Where outputs are written: a path below /artifacts/ containing {execution_id} "
                    + "(default: " + WritePrefix.DEFAULT + ").")
    String writePrefix;

    @ArgGroup(exclusive = true, multiplicity = "0..1", heading = "Inputs (at most one; default {}):%n")
    InputsOption inputs;

    @Option(names = "--adapter-opts-json", paramLabel = "JSON",
            description = "Adapter options as a JSON object.")
    String adapterOptsJson;

    @Option(names = "--build", description = "Run the newest local build instead of the pinned digest.")
    boolean build;

    @Option(names = "--json", description = "Print only the envelope (one JSON document) on stdout, and every event "
            + "as one NDJSON line on stderr.")
    boolean json;

    /** Where {@code --inputs -} reads from; tests substitute it. */
    InputStream stdin = System.in;

    /** How patiently to follow the stream; tests shorten it. */
    RunFollower.Settings settings = RunFollower.Settings.DEFAULT;

    @Override
    public Integer call() {
        RunRequest request = request();
        try (GatewayClient client = gateway.client()) {
            RunAccepted accepted = client.submit(request);
            return RunWatch.follow(client, accepted.executionId(),
                    client.streamUri(accepted.executionId(), accepted.streamUrl()), settings, json, Output.of(spec));
        }
    }

    /** Everything the CLI can check before it talks to the gateway. */
    RunRequest request() {
        ProcessorRef parsed = ProcessorRef.parse(ref);
        String prefix = writePrefix == null ? null : WritePrefix.validate(writePrefix);
        JsonNode in = InputsOption.read(inputs, stdin);
        JsonNode opts = adapterOptsJson == null ? null
                : JsonValue.object(adapterOptsJson, "--adapter-opts-json", ErrorCode.ERR_OPTION_INVALID);
        return new RunRequest(parsed.toString(), adapter.name(), mode.name(), platform == null ? null : platform.name(),
                prefix, in, opts, build);
    }
}
