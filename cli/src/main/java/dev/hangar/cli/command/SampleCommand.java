package dev.hangar.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.config.GatewayOptions;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.client.CliJson;
import dev.hangar.cli.output.Output;
import dev.hangar.cli.output.Terminal;
import dev.hangar.cli.service.RunFollower;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.Sampling;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hangar sample}: Tinker's sampling (tinkex spells it {@code run --base-model}). It is
 * {@code sample}, not {@code run}, because {@code hangar run} already runs a processor by
 * {@code --ref}; one verb per thing keeps both commands' options and help unambiguous.
 */
@Command(name = "sample", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Sample from a base model (Tinker's sampling; tinkex's `run --base-model`).",
                "Prints each sequence as `Sample N:`, its text and `stop_reason=… | avg_logprob=…`; with --json Tinker's "
                        + "SampleResponse (plus run_id). On a terminal the first sequence's tokens print as they are made.",
                "The sampling is a run of the model's sampling processor: `hangar runs get RUN_ID` shows it."})
public final class SampleCommand implements Callable<Integer> {
    /** How long each request asks the gateway to wait for the samples. */
    static final Duration WAIT = Duration.ofSeconds(60);

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Model model;

    /** What to sample from: a base model, or a sampler checkpoint (its base model plus that adapter). */
    static final class Model {
        @Option(names = "--base-model", paramLabel = "ID",
                description = "The base model, e.g. hangar/tiny-lm (GET /v1/models lists them).")
        String baseModel;

        @Option(names = "--model-path", paramLabel = "PATH",
                description = "A sampler checkpoint, hangar://<run_id>/sampler_weights/<id> (yours or a published one): "
                        + "its base model with that LoRA adapter.")
        String modelPath;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Prompt prompt;

    /** Exactly one of the two. */
    static final class Prompt {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "The prompt text (the model's tokenizer encodes it, BOS first).")
        String text;

        @Option(names = "--prompt-file", paramLabel = "PATH", description = "A prompt file: a JSON array of token ids, "
                + "{\"tokens\":[…]}, or else plain text (used verbatim).")
        Path file;
    }

    @Option(names = "--max-tokens", paramLabel = "N", description = "Tokens to generate at most (default: the gateway's, 32).")
    Integer maxTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature; 0 = greedy (default 1.0).")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample from the K most likely tokens only; -1 = off (default).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling: the smallest set with mass P, in (0, 1] (default 1.0).")
    Double topP;

    @Option(names = "--seed", paramLabel = "N", description = "The same seed gives the same tokens (default: random).")
    Long seed;

    @Option(names = "--stop", paramLabel = "STOP", description = "Stop when the completion contains this string; when every "
            + "--stop is an integer they are token ids instead. Repeatable (default: stop at end of sequence).")
    List<String> stop;

    @Option(names = "--num-samples", paramLabel = "N", description = "Sequences to sample (default 1).")
    Integer numSamples;

    @Option(names = "--prompt-logprobs", description = "Also return the model's logprob of each prompt token.")
    boolean promptLogprobs;

    @Option(names = "--topk-prompt-logprobs", paramLabel = "K", description = "Also return the K most likely tokens at each "
            + "prompt position (default 0).")
    Integer topkPromptLogprobs;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the result to FILE instead of stdout.")
    Path output;

    @Option(names = "--json", description = "Print Tinker's SampleResponse as JSON (with run_id and stream_url).")
    boolean json;

    /** Whether the tokens may stream to stdout; tests decide. */
    Boolean stdoutTerminal;

    @Override
    public Integer call() {
        Output out = Output.of(spec);
        Sampling.Request request = request();
        try (GatewayClient client = gateway.client()) {
            boolean stream = !json && output == null && (stdoutTerminal != null ? stdoutTerminal : Terminal.console() != null);
            Sampling.Response response = stream ? streamed(client, request, out.out()) : waited(client, request);
            String text = json ? CliJson.pretty(response) : plain(response);
            write(text, out);
            return 0;
        }
    }

    /** The request the options describe; the gateway applies every rule (Sampling.Request#validated). */
    Sampling.Request request() {
        Sampling.ModelInput input = null;
        String text = prompt.text;
        if (prompt.file != null) {
            PromptSource source = PromptSource.read(prompt.file);
            text = source.text();
            input = source.tokens() == null ? null : Sampling.ModelInput.ofTokens(source.tokens());
        }
        var params = new Sampling.Params(maxTokens, temperature, topK, topP, seed, stop());
        String path = model.modelPath == null ? null : CheckpointCommand.path(model.modelPath);
        return new Sampling.Request(model.baseModel, input, text, params, numSamples, promptLogprobs ? true : null, topkPromptLogprobs,
                path);
    }

    /** Token ids when every --stop is an integer, else strings; null without --stop. */
    JsonNode stop() {
        if (stop == null || stop.isEmpty()) {
            return null;
        }
        ArrayNode values = Json.MAPPER.createArrayNode();
        boolean ids = stop.stream().allMatch(s -> s.matches("\\d{1,9}"));
        stop.forEach(s -> {
            if (ids) {
                values.add(Integer.parseInt(s));
            } else {
                values.add(s);
            }
        });
        return values;
    }

    private static Sampling.Response waited(GatewayClient client, Sampling.Request request) {
        GatewayClient.SampleAnswer answer = client.sample(request, WAIT);
        while (answer.response() == null) {
            answer = client.sampleResult(answer.pending().executionId(), WAIT);
        }
        return answer.response();
    }

    /** Submits without waiting, prints the first sequence's tokens from the run's stream, then reads the samples. */
    private static Sampling.Response streamed(GatewayClient client, Sampling.Request request, PrintWriter out) {
        GatewayClient.SampleAnswer answer = client.sample(request, Duration.ZERO);
        if (answer.response() != null) {
            return answer.response();
        }
        String id = answer.pending().executionId();
        new RunFollower(client.eventStream(), client::getRun, RunFollower.Settings.DEFAULT).follow(id,
                client.streamUri(id, answer.pending().streamUrl()), (raw, event) -> {
                    if (event != null && event.event() instanceof RunEvent.Token token) {
                        out.print(Terminal.clean(token.text()));
                        out.flush();
                    }
                });
        out.println();
        out.println();
        out.flush();
        answer = client.sampleResult(id, WAIT);
        while (answer.response() == null) {
            answer = client.sampleResult(id, WAIT);
        }
        return answer.response();
    }

    /** tinkex's plain form: per sequence `Sample N:`, its text, `stop_reason=… | avg_logprob=…`; a blank line between. */
    static String plain(Sampling.Response response) {
        var blocks = new ArrayList<String>();
        for (int i = 0; i < response.sequences().size(); i++) {
            Sampling.Sequence s = response.sequences().get(i);
            var lines = new ArrayList<String>();
            lines.add("Sample " + (i + 1) + ":");
            String text = s.text() != null ? s.text() : String.valueOf(s.tokens());
            if (!text.isEmpty()) {
                lines.add(text);
            }
            var meta = new ArrayList<String>();
            if (s.stopReason() != null) {
                meta.add("stop_reason=" + s.stopReason());
            }
            if (s.logprobs() != null && !s.logprobs().isEmpty()) {
                double avg = s.logprobs().stream().mapToDouble(Double::doubleValue).average().orElse(0);
                meta.add("avg_logprob=" + String.format(Locale.ROOT, "%.3f", avg));
            }
            if (!meta.isEmpty()) {
                lines.add(String.join(" | ", meta));
            }
            blocks.add(String.join("\n", lines));
        }
        return String.join("\n\n", blocks);
    }

    private void write(String text, Output out) {
        if (output == null) {
            out.out().println(text);
            out.out().flush();
            return;
        }
        try {
            Path parent = output.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(output, text + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--output " + output + " cannot be written: " + e.getMessage(), e);
        }
    }
}
