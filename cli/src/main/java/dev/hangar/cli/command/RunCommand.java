package dev.hangar.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.cog.UrlFetcher;
import dev.hangar.cli.cog.UrlInputs;
import dev.hangar.cli.config.ConnectionOptions;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.cli.output.ProgressBar;
import dev.hangar.cli.service.OutputDownloader;
import dev.hangar.cli.service.RunFollower;
import dev.hangar.cli.service.RunWatch;
import dev.hangar.cli.service.SpecFile;
import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.AdapterOptions;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.Plan;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.RunAccepted;
import dev.hangar.contracts.RunRequest;
import dev.hangar.contracts.WritePrefix;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hangar run}: submit a run, follow its events, print its envelope. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run a processor and follow it until it ends.",
                "Events stream to stderr as they happen; the result goes to stdout. Exit status 0 iff the run succeeded.",
                "Without --ref in a Cog project folder (cog.yaml, no hangar.yaml): one local prediction, as `hangar predict` "
                        + "(and `cog run -i ...`): builds, checks -i against the image's schema, runs it here with no network; "
                        + "-o and -e apply."})
public final class RunCommand implements Callable<Integer> {
    /** A URL input's bytes sent inline with a mock-mode run: base64 in a Kafka record (1 MiB by default) must fit. */
    static final long MAX_INLINE_BYTES = 512L * 1024;
    static final String BUILD_IGNORED = "warning: --build applies to --adapter local only; it is ignored with --adapter remote";

    @Spec
    CommandSpec spec;

    /** No --timeout here: run's --timeout is the run's deadline; the call timeout goes before the command. */
    @Mixin
    ConnectionOptions gateway;

    @Option(names = "--ref", paramLabel = "NS/NAME@VER",
            description = "The processor version to run, e.g. examples/echo@1 (default: the ref in ./hangar.yaml, "
                    + "when run in a processor folder).")
    String ref;

    @Option(names = "--adapter", defaultValue = "local", paramLabel = "ADAPTER",
            converter = WireOptions.AdapterConverter.class, completionCandidates = WireOptions.Adapters.class,
            description = "Where it runs: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Adapter adapter;

    @Option(names = "--mode", defaultValue = "mock", paramLabel = "MODE",
            converter = WireOptions.ModeConverter.class, completionCandidates = WireOptions.Modes.class,
            description = "mock (no network, deterministic) or real (default: ${DEFAULT-VALUE}).")
    Mode mode;

    @Option(names = "--platform", paramLabel = "PLATFORM",
            converter = WireOptions.PlatformConverter.class, completionCandidates = WireOptions.Platforms.class,
            description = "Image platform: ${COMPLETION-CANDIDATES} (default: the executor host's).")
    Platform platform;

    @Option(names = "--write-prefix", paramLabel = "PREFIX",
            description = "Where outputs are written: a path below /artifacts/ containing {execution_id} "
                    + "(default: " + WritePrefix.DEFAULT + ").")
    String writePrefix;

    @ArgGroup(exclusive = true, multiplicity = "0..1", heading = "Inputs (at most one; default {}):%n")
    InputsOption inputs;

    @Option(names = "-i", paramLabel = "KEY=VALUE",
            description = {"One input, typed by the processor's input schema: -i steps=20 sends a number, "
                    + "-i tags='[\"a\"]' an array. A dotted KEY (a.b) sets a nested input; VALUE @FILE reads it from a "
                    + "file (@@ stands for a literal @); an input with format hangar-file is uploaded: -i doc=@report.pdf; "
                    + "in mock mode an http(s) URL for a file input (format uri, as Cog's) is fetched here and sent as a data: "
                    + "URL, at most 512 KiB (the container has no network). Repeatable; wins over the inputs above."})
    List<String> assignments;

    @Option(names = "--attach", paramLabel = "NAME=PATH",
            description = "Upload a file before the run and pass it as attachment NAME; inputs refer to it as "
                    + "{\"$attach\":\"NAME\"}. Repeatable.")
    List<String> attach;

    @Option(names = "--adapter-opts-json", paramLabel = "JSON",
            description = "Adapter options as a JSON object: cpu, memory_mb, gpus, timeout_seconds, keep_container; for "
                    + "--adapter remote also pool (the executors' pool, e.g. {\"pool\":\"gpu-a\"}; the gateway may have a "
                    + "default) and capacity_wait_seconds (how long the run may wait for room in the pool before "
                    + "ERR_NO_CAPACITY; shortens the gateway's).")
    String adapterOptsJson;

    @Option(names = "--build", description = "Run the newest local build instead of the pinned digest (--adapter local only).")
    boolean build;

    @Option(names = "--deploy-env", paramLabel = "ENV",
            description = "Run in a deployment environment (dev, staging, prod): its bound digest and, in real mode, "
                    + "that environment's secrets (`hangar deploy sync-secrets`).")
    String deployEnv;

    @Option(names = "--plan", paramLabel = "KEY",
            description = "Charge the run to this budget plan ([a-z0-9._-], up to 64); a new key creates the plan "
                    + "with the gateway's default limit.")
    String plan;

    @Option(names = "--timeout", paramLabel = "SECONDS",
            description = "Stop the run after this many seconds, 1 to " + ProcessorSpec.Resources.MAX_TIMEOUT_SECONDS
                    + " (default: the processor's).")
    Integer timeout;

    @Option(names = "--idempotency-key", paramLabel = "KEY",
            description = "Submit at most once: the same KEY ([A-Za-z0-9._:-], up to 128) returns the run it "
                    + "started, which is then followed like a new one.")
    String idempotencyKey;

    @ArgGroup(exclusive = true, multiplicity = "0..1", heading = "Saving outputs (at most one):%n")
    SaveOption save;

    @Option(names = "--json", description = "Print only the envelope (one JSON document) on stdout, and every event "
            + "as one NDJSON line on stderr.")
    boolean json;

    @Option(names = {"-o", "--output"}, paramLabel = "PATH", description = "Cog project (no --ref): where a file output is "
            + "written (a folder for several, and always when it ends in /).", converter = OutputTarget.Converter.class)
    OutputTarget output;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "Cog project (no --ref): an environment variable "
            + "for the container. Repeatable.")
    List<String> env;

    /** Where {@code --inputs -} reads from; tests substitute it. */
    InputStream stdin = System.in;

    /** The working directory: relative paths and ./hangar.yaml are taken from here; tests point it elsewhere. */
    Path cwd = Path.of("");

    /** How patiently to follow the stream; tests shorten it. */
    RunFollower.Settings settings = RunFollower.Settings.DEFAULT;

    /**
     * Everything known before the gateway is asked: the request without {@code -i} values and
     * attachments (typing needs the processor's schema), and what to warn about.
     */
    record Draft(RunRequest request, List<TypedInputs.Assignment> assignments, Map<String, Path> files,
                 List<String> warnings) {}

    @Override
    public Integer call() {
        if (ref == null && Files.isRegularFile(cwd.resolve(dev.hangar.cli.cog.CogConfig.NAME))
                && !Files.isRegularFile(cwd.resolve(SpecFile.NAME))) {
            return PredictCommand.predict(CogLocal.Kind.PREDICT, spec, null, assignments, output, env, json, cwd);
        }
        if (output != null || env != null) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "-o and -e apply to a local prediction in a Cog project folder "
                    + "(cog.yaml, no --ref); with a processor of the platform use --save-dir/--save-first");
        }
        Output out = Output.of(spec);
        Draft draft = draft();
        draft.warnings().forEach(out.err()::println);
        out.err().flush();
        try (GatewayClient client = gateway.client()) {
            RunRequest request = complete(draft, client, json ? null : out.err());
            GatewayClient.Submission submitted = client.submit(request);
            RunAccepted accepted = submitted.accepted();
            String id = accepted.executionId();
            RunFollower.Settings follow = settings;
            if (submitted.existing()) {
                if (!json && idempotencyKey != null) { // else a retry found the run its first attempt started
                    out.err().println("idempotency key " + idempotencyKey + " names run " + id
                            + (accepted.status() == null ? "" : " (" + accepted.status().wire() + ")") + "; following it");
                    out.err().flush();
                }
                if (accepted.status() != null && accepted.status().terminal()) {
                    follow = settings.withIdle(Duration.ofSeconds(2)); // its replay comes at once
                }
            }
            return RunWatch.follow(client, id, client.streamUri(id, accepted.streamUrl()), follow, json, out, saver(client, out));
        }
    }

    /** Everything the CLI can check before it talks to the gateway. */
    Draft draft() {
        List<String> warnings = new ArrayList<>();
        ProcessorRef parsed = ref();
        String prefix = writePrefix == null ? null : WritePrefix.validate(writePrefix);
        ObjectNode in = InputsOption.read(inputs, stdin, cwd);
        String deprecated = InputsOption.warning(inputs);
        if (deprecated != null) {
            warnings.add(deprecated);
        }
        boolean sendBuild = build;
        if (build && adapter == Adapter.REMOTE) {
            warnings.add(BUILD_IGNORED);
            sendBuild = false;
        }
        checkPlanTimeoutAndKey();
        List<TypedInputs.Assignment> typed = TypedInputs.parse(assignments);
        Map<String, Path> files = Attachments.parse(attach, cwd);
        if (save != null && save.first != null && Files.isDirectory(cwd.resolve(save.first))) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--save-first " + save.first + " is a directory; name a file, "
                    + "or use --save-dir");
        }
        RunRequest request = new RunRequest(parsed.toString(), adapter, mode, platform, prefix, in, adapterOpts(), sendBuild,
                timeout, idempotencyKey, plan, null, deployEnv == null ? null : CliError.check("--deploy-env", deployEnv,
                () -> dev.hangar.contracts.Deploy.requireEnv(deployEnv)));
        return new Draft(request, typed, files, List.copyOf(warnings));
    }

    /** The request as {@link #draft()} builds it; for tests of the options. */
    RunRequest request() {
        return draft().request();
    }

    /** --ref, else the ref of ./hangar.yaml; a bad ref is ERR_REF_INVALID. */
    ProcessorRef ref() {
        if (ref != null) {
            return ProcessorRef.parse(ref);
        }
        Path file = cwd.resolve(SpecFile.NAME);
        if (!Files.isRegularFile(file)) {
            throw new ParameterException(spec.commandLine(), "Missing required option: '--ref=NS/NAME@VER' (needed unless "
                    + "run in a processor folder; there is no " + SpecFile.NAME + " in " + cwd.toAbsolutePath().normalize() + ")");
        }
        ProcessorSpec local = SpecFile.read(file);
        if (local.ref() == null) {
            throw new CliError(ErrorCode.ERR_SPEC_INVALID, file + " has no ref; add `ref: ns/name@1` or pass --ref");
        }
        return local.ref();
    }

    /** The contracts' rules, as the gateway applies them, naming the options. */
    private void checkPlanTimeoutAndKey() {
        if (plan != null) {
            CliError.check("--plan", "plan", () -> Plan.requireKey(plan));
        }
        CliError.check(() -> ProcessorSpec.Resources.requireTimeout("--timeout", timeout));
        CliError.check("--idempotency-key", "idempotency_key '" + idempotencyKey + "'",
                () -> RunRequest.requireIdempotencyKey(idempotencyKey));
    }

    /** The JSON, checked exactly as the executor will check it (unknown keys and ranges). */
    private JsonNode adapterOpts() {
        if (adapterOptsJson == null) {
            return null;
        }
        ObjectNode opts = JsonValue.object(adapterOptsJson, "--adapter-opts-json", ErrorCode.ERR_OPTION_INVALID);
        CliError.check("--adapter-opts-json", () -> AdapterOptions.parse(opts));
        return opts;
    }

    /**
     * The request as sent: {@code -i} values typed by the processor's schema (fetched only when
     * {@code -i} is used) and every attachment uploaded; all before the run is submitted.
     */
    RunRequest complete(Draft draft, GatewayClient client, PrintWriter log) {
        RunRequest r = draft.request();
        Map<String, Path> files = new LinkedHashMap<>(draft.files());
        JsonNode in = r.inputs();
        if (!draft.assignments().isEmpty()) {
            JsonNode schema = client.getProcessor(ProcessorRef.parse(r.ref())).inputsSchema();
            ObjectNode merged = ((ObjectNode) in).deepCopy();
            Attachments.merge(files, TypedInputs.apply(schema, draft.assignments(), merged, cwd), "a file input (-i KEY=@PATH)");
            if (r.mode() == Mode.MOCK && schema != null) {
                // a mock-mode container has no network: a URL file input travels in the request, as a data: URL
                try {
                    UrlInputs.inline(schema, schema, merged, new UrlFetcher(inlineLimits(UrlFetcher.Limits.fromEnv(System.getenv()))));
                } catch (CliError e) {
                    if (!ErrorCode.ERR_INPUT_TOO_LARGE.name().equals(e.code())) {
                        throw e;
                    }
                    throw new CliError(ErrorCode.ERR_INPUT_TOO_LARGE, e.getMessage() + ". A mock-mode run carries a URL input "
                            + "inline, at most " + MAX_INLINE_BYTES / 1024 + " KiB: run it in real mode (with egress to its host) "
                            + "or on this host with `hangar predict`");
                }
            }
            in = merged;
        }
        Map<String, String> uploaded = files.isEmpty() ? null : Attachments.upload(client, files, log);
        return new RunRequest(r.ref(), r.adapter(), r.mode(), r.platform(), r.writePrefix(), in, r.adapterOpts(), r.build(),
                r.timeoutSeconds(), r.idempotencyKey(), r.plan(), uploaded, r.env());
    }

    /** At most {@link #MAX_INLINE_BYTES}: the request goes through the gateway and a Kafka record. */
    static UrlFetcher.Limits inlineLimits(UrlFetcher.Limits limits) {
        return new UrlFetcher.Limits(Math.min(limits.maxBytes(), MAX_INLINE_BYTES), limits.timeout(), limits.maxRedirects());
    }

    private RunWatch.Saver saver(GatewayClient client, Output out) {
        if (save == null) {
            return null;
        }
        OutputDownloader downloader = new OutputDownloader(client::openArtifact, ProgressBar.factory(out));
        if (save.dir != null) {
            return env -> downloader.saveAll(env, cwd.resolve(save.dir));
        }
        return env -> List.of(downloader.saveFirst(env, cwd.resolve(save.first)));
    }
}
