package dev.hangar.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.cli.cog.CogBuild;
import dev.hangar.cli.cog.CogConfig;
import dev.hangar.cli.cog.LocalContainer;
import dev.hangar.cli.cog.UrlFetcher;
import dev.hangar.cli.cog.UrlInputs;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.runtime.client.Prediction;
import dev.hangar.runtime.client.RuntimeResponseException;
import dev.hangar.runtime.client.StreamEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What {@code predict}, {@code run} in a project folder and {@code train} share: build the
 * project (the engine's cache makes an unchanged one quick), check the {@code -i} inputs against
 * the image's schema label, then run one job in a locked-down container and write its file
 * outputs to disk. Events come through the runtime's Java client, so they follow its protocol.
 */
final class CogLocal {
    private static final Pattern DATA_URL = Pattern.compile("data:([^;,]*)(;base64)?,(.*)", Pattern.DOTALL);
    private static final Map<String, String> EXTENSIONS = Map.of("text/plain", "txt", "image/png", "png", "image/jpeg", "jpg",
            "application/json", "json", "audio/wav", "wav", "image/webp", "webp", "application/octet-stream", "bin");

    /** Which entry point: Cog's predictions or trainings. */
    enum Kind {
        PREDICT("predictions", "Input", "the predictor"),
        TRAIN("trainings", "TrainingInput", "train()");

        final String path;
        final String component;
        final String what;

        Kind(String path, String component, String what) {
            this.path = path;
            this.component = component;
            this.what = what;
        }
    }

    private CogLocal() {}

    /** Builds the project in {@code dir} (quietly unless it fails) and returns the image. */
    static CogBuild.Built build(Path dir, PrintWriter err, boolean quiet) {
        CogConfig config = CogConfig.read(dir);
        return CogBuild.build(dir, config, CogBuild.Options.defaults(), line -> { }, quiet ? null : err);
    }

    /**
     * Runs one job of {@code image} with these inputs and returns the exit status (0 iff it succeeded).
     *
     * @param output where file outputs go: a file (one output, unless it names a folder) or a folder; null for
     *               {@code output[.N].ext} in cwd
     */
    static int run(Kind kind, String image, JsonNode schema, List<TypedInputs.Assignment> assignments, List<String> env,
                   OutputTarget output, boolean json, Path cwd, Output out) {
        if (kind == Kind.TRAIN && CogInputs.component(schema, kind.component).isMissingNode()) {
            throw new CliError(ErrorCode.ERR_SPEC_INVALID, "this project has no train entry point; add `train: \"train.py:train\"` "
                    + "to cog.yaml");
        }
        ObjectNode input = CogInputs.build(schema, kind.component, assignments, cwd, kind.what);
        UrlInputs.inline(schema, kind.component, input, UrlFetcher.fromEnv()); // before the container: it has no network
        try (LocalContainer container = LocalContainer.start(image, env)) {
            Thread cleanup = new Thread(container::close); // Ctrl-C: the container goes too
            Runtime.getRuntime().addShutdownHook(cleanup);
            try {
                return job(kind, container, input, output, json, cwd, out);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs anyway
                }
            }
        }
    }

    private static int job(Kind kind, LocalContainer container, ObjectNode input, OutputTarget output, boolean json, Path cwd, Output out) {
        PrintWriter err = out.err();
        {
            if (!json) {
                container.showLogs(err);
            }
            container.awaitReady(LocalContainer.SETUP_TIMEOUT);
            container.stopLogs();
            if (!json) {
                err.println("running " + kind.what);
                err.flush();
            }
            boolean[] streamed = {false};
            Prediction p;
            try {
                p = kind == Kind.PREDICT
                        ? container.client().predict(null, input, event -> show(event, json, out, streamed))
                        : train(container.folder().resolve("runtime.sock"), input);
            } catch (RuntimeResponseException e) {
                throw new CliError(e.status() == 422 ? ErrorCode.ERR_INPUT_INVALID : ErrorCode.ERR_PROCESSOR_FAILED,
                        "the runtime refused the " + kind.path.substring(0, kind.path.length() - 1) + " (" + e.status() + "): " + e.getMessage());
            } catch (IOException e) {
                throw new CliError(ErrorCode.ERR_CONTAINER_FAILED, "lost the runtime while it ran: " + e.getMessage(), e);
            }
            List<Path> written = save(p, container.outputs(), output, cwd);
            if (json) {
                out.json(p.raw());
            } else {
                if (streamed[0]) {
                    out.out().println();
                } else if (p.succeeded() && written.isEmpty() && !p.output().isNull()) {
                    out.out().println(p.output().isTextual() ? p.output().asText() : p.output().toPrettyString());
                }
                written.forEach(f -> err.println("written to " + f));
                if (!p.succeeded()) {
                    err.println(p.logs().strip());
                    err.println(kind.what + " " + p.status() + (p.error() == null ? "" : ": " + p.error()));
                }
            }
            out.out().flush();
            err.flush();
            return p.succeeded() ? 0 : 1;
        }
    }

    private static void show(StreamEvent event, boolean json, Output out, boolean[] streamed) {
        if (json) {
            out.err().println(Json.write(Map.of("event", event.type(), "data", event.data())));
        } else if ("token".equals(event.type())) {
            out.out().print(event.data().path("text").asText());
            out.out().flush();
            streamed[0] = true;
        } else if ("output".equals(event.type())) {
            out.out().println(event.data().path("chunk").toString());
            out.out().flush();
            streamed[0] = true;
        } else if ("log".equals(event.type())) {
            out.err().println(event.data().path("line").asText());
        } else if ("progress".equals(event.type())) {
            out.err().println("progress " + Math.round(event.data().path("fraction").asDouble() * 100) + "%");
        }
        out.err().flush();
    }

    /**
     * {@code POST /trainings}, answered when it ends. The runtime's client speaks predictions only;
     * this plain exchange over the unix socket reads Cog's response object, nothing of the stream.
     */
    static Prediction train(Path socket, JsonNode input) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.set("input", input);
        byte[] bytes = Json.MAPPER.writeValueAsBytes(body);
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            OutputStream o = Channels.newOutputStream(ch);
            o.write(("POST /trainings HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            o.write(bytes);
            o.flush();
            InputStream in = Channels.newInputStream(ch);
            String response = new String(in.readNBytes(64 * 1024 * 1024), StandardCharsets.UTF_8);
            int split = response.indexOf("\r\n\r\n");
            String head = split < 0 ? response : response.substring(0, split);
            String payload = split < 0 ? "" : response.substring(split + 4);
            int status = Integer.parseInt(head.split(" ", 3)[1]);
            if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
                payload = dechunk(payload);
            }
            if (status / 100 != 2) {
                throw new CliError(status == 422 ? ErrorCode.ERR_INPUT_INVALID : ErrorCode.ERR_PROCESSOR_FAILED,
                        "the runtime refused the training (" + status + "): " + payload.strip());
            }
            return predictionOf(Json.MAPPER.readTree(payload));
        }
    }

    private static Prediction predictionOf(JsonNode body) {
        JsonNode error = body.get("error");
        return new Prediction(body.path("id").asText(null), body.path("status").asText(""),
                body.has("output") ? body.get("output") : com.fasterxml.jackson.databind.node.NullNode.getInstance(),
                error == null || error.isNull() ? null : error.asText(), body.path("logs").asText(""), body);
    }

    private static String dechunk(String s) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int eol = s.indexOf("\r\n", i);
            if (eol < 0) {
                break;
            }
            int n = Integer.parseInt(s.substring(i, eol).split(";")[0].strip(), 16);
            if (n == 0) {
                break;
            }
            b.append(s, eol + 2, eol + 2 + n);
            i = eol + 2 + n + 2;
        }
        return b.toString();
    }

    /**
     * Writes file outputs: {@code data:} URLs anywhere in the output (Cog's encoding without an
     * upload URL), and files the runtime reported in {@code output_files} of its output folder.
     */
    static List<Path> save(Prediction p, Path runtimeOutputs, OutputTarget output, Path cwd) {
        List<byte[]> contents = new ArrayList<>();
        List<String> names = new ArrayList<>();
        collect(p.output(), contents, names);
        // A runtime that sent its files as data: URLs also left copies of them in its folder: take them once.
        JsonNode listed = contents.isEmpty() ? p.raw().path("output_files") : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        listed.forEach(f -> {
            String name = f.isTextual() ? f.asText() : f.path("name").asText(f.path("path").asText(""));
            Path file = runtimeOutputs.resolve(name).normalize();
            if (!name.isEmpty() && file.startsWith(runtimeOutputs) && Files.isRegularFile(file)) {
                try {
                    contents.add(Files.readAllBytes(file));
                    names.add(Path.of(name).getFileName().toString());
                } catch (IOException e) {
                    throw new CliError(ErrorCode.ERR_UNAVAILABLE, "cannot read the output " + name + ": " + e.getMessage(), e);
                }
            }
        });
        if (contents.isEmpty() || names.size() == 1 && names.getFirst().equals("output.json") && !(p.output().isNull())) {
            return List.of(); // a plain value: printed, not saved
        }
        List<Path> written = new ArrayList<>();
        try {
            for (int i = 0; i < contents.size(); i++) {
                Path target;
                if (output != null && contents.size() == 1 && !output.folder() && !Files.isDirectory(cwd.resolve(output.path()))) {
                    target = cwd.resolve(output.path());
                } else if (output != null) {
                    target = Files.createDirectories(cwd.resolve(output.path())).resolve(names.get(i));
                } else {
                    String ext = extension(names.get(i));
                    target = cwd.resolve(contents.size() == 1 ? "output" + ext : "output." + i + ext);
                }
                if (target.getParent() != null) {
                    Files.createDirectories(target.getParent());
                }
                Files.write(target, contents.get(i));
                written.add(target);
            }
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "cannot write the output: " + e.getMessage(), e);
        }
        return written;
    }

    private static void collect(JsonNode node, List<byte[]> contents, List<String> names) {
        if (node.isTextual()) {
            var m = DATA_URL.matcher(node.asText());
            if (m.matches()) {
                byte[] bytes = m.group(2) != null ? Base64.getMimeDecoder().decode(m.group(3))
                        : java.net.URLDecoder.decode(m.group(3), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
                contents.add(bytes);
                names.add("output." + names.size() + "." + EXTENSIONS.getOrDefault(m.group(1).toLowerCase(Locale.ROOT), "bin"));
            }
        } else if (node.isContainerNode()) {
            node.forEach(child -> collect(child, contents, names));
        }
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot);
    }
}
