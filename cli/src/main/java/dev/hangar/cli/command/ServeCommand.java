package dev.hangar.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.VersionProvider;
import dev.hangar.cli.cog.CogBuild;
import dev.hangar.cli.cog.Forwarder;
import dev.hangar.cli.cog.LocalContainer;
import dev.hangar.cli.cog.SwaggerUi;
import dev.hangar.cli.cog.UploadRelay;
import dev.hangar.cli.cog.WebhookRelay;
import dev.hangar.cli.cog.UrlFetcher;
import dev.hangar.cli.cog.UrlInputs;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.cli.error.CliError;
import dev.hangar.cli.output.Output;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hangar serve}: the model's HTTP API on a loopback port, until interrupted, as {@code cog serve}. */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Serve a Cog model's HTTP API on a loopback port until interrupted.",
                "As `cog serve`: builds the project, starts its container and serves Cog's API (POST /predictions, GET "
                        + "/health-check, ...) on HOST:PORT until Ctrl-C, with /openapi.json (the schema the build derived) and "
                        + "/docs (Swagger UI over it, every asset served by the CLI: nothing loads from outside this host). "
                        + "The container has no network: the port is forwarded to the runtime's unix socket in the container's "
                        + "run folder, http(s) URL file inputs are fetched by the CLI and handed over as data: URLs, and "
                        + "--upload-url uploads and the deliveries to a request's webhook are made by the CLI. Up to 16 jobs "
                        + "wait beyond the busy slots (concurrency.max) before a request is refused with 409 (-e "
                        + "HANGAR_QUEUE_SIZE=N: another bound; 0: Cog's 409 as soon as every slot is busy)."})
public final class ServeCommand implements Callable<Integer> {
    /** A job request's body, read whole to fetch its URL inputs (data: URLs included). */
    static final long MAX_REQUEST_BYTES = 256L * 1024 * 1024;
    /** Jobs that wait beyond the busy slots before a request is refused (409); -e HANGAR_QUEUE_SIZE=N sets another. */
    static final int QUEUE_SIZE = 16;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE", description = "An image built by `hangar build` "
            + "(default: build the project in the current folder).")
    String image;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "8393",
            description = "The TCP port (0 picks a free one; default: ${DEFAULT-VALUE}, as cog serve).")
    int port;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "A loopback address to listen on: 127.0.0.1, ::1 or localhost (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--upload-url", paramLabel = "URL", description = {"Upload file outputs to URL/<file name> (PUT, as Cog "
            + "does) and answer with their URLs, instead of data: URLs.",
            "The container has no network: it hands each file to the CLI, which makes the PUT (a redirect is followed "
                    + "only on the same host)."})
    String uploadUrl;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "An environment variable for the container. Repeatable.")
    List<String> env;

    /** The project folder; tests point it elsewhere. */
    Path cwd = Path.of("");

    /** Counted down to stop serving (tests); Ctrl-C ends the process and the shutdown hook cleans up. */
    final CountDownLatch stop = new CountDownLatch(1);

    /** The port actually bound, once listening (tests read it with {@code -p 0}). */
    volatile int boundPort;

    @Override
    public Integer call() throws Exception {
        Output out = Output.of(spec);
        InetAddress address = loopback(host);
        if (port < 0 || port > 65535) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--port must be 0 to 65535, got " + port);
        }
        List<String> environment = new ArrayList<>(env == null ? List.of() : env);
        if (uploadUrl != null) {
            if (!uploadUrl.matches("https?://\\S+") || java.net.URI.create(uploadUrl.replace(" ", "%20")).getHost() == null) {
                throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--upload-url must be an http(s) URL, got '" + uploadUrl + "'");
            }
            environment.add("HANGAR_UPLOAD_SOCKET=/hangar/io/" + UploadRelay.SOCKET);
        }
        environment.add("HANGAR_WEBHOOK_SOCKET=/hangar/io/" + WebhookRelay.SOCKET);
        if (environment.stream().noneMatch(e -> e.startsWith("HANGAR_QUEUE_SIZE="))) {
            environment.add("HANGAR_QUEUE_SIZE=" + QUEUE_SIZE); // a bounded queue, not Cog's 409 as soon as every slot is busy
        }
        String ref = image;
        JsonNode schema;
        if (ref == null) {
            CogBuild.Built built = CogLocal.build(cwd, out.err(), false);
            ref = built.image();
            schema = built.schema();
        } else {
            schema = CogBuild.schemaOf(ref);
        }
        LocalContainer container = LocalContainer.start(ref, environment);
        Thread cleanup = new Thread(container::close);
        Runtime.getRuntime().addShutdownHook(cleanup);
        UrlFetcher.Limits limits = UrlFetcher.Limits.fromEnv(System.getenv());
        try (UploadRelay relay = uploadUrl == null ? null : UploadRelay.open(container.folder(), uploadUrl, limits.timeout().multipliedBy(4));
             WebhookRelay webhooks = WebhookRelay.open(container.folder(), limits.timeout())) {
            container.showLogs(out.err());
            container.awaitReady(LocalContainer.SETUP_TIMEOUT);
            Map<String, Forwarder.Page> pages = new HashMap<>(SwaggerUi.pages());
            if (schema != null) {
                pages.put("/openapi.json", new Forwarder.Page("application/json", Json.MAPPER.writeValueAsBytes(schema)));
            }
            try (Forwarder forwarder = Forwarder.open(address, port, container.folder().resolve("runtime.sock"), pages,
                    requests(schema, new UrlFetcher(limits), webhooks), MAX_REQUEST_BYTES)) {
                boundPort = forwarder.port();
                String base = "http://" + (address.getHostAddress().contains(":") ? "[" + address.getHostAddress() + "]"
                        : address.getHostAddress()) + ":" + boundPort;
                out.err().println("serving " + ref + " on " + base + " (docs: " + base + "/docs); Ctrl-C stops it");
                out.err().flush();
                stop.await();
            }
            return 0;
        } finally {
            container.close();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    /**
     * What the CLI does for a job request, the container having no network: its {@code webhook} is let
     * through the webhook relay, and its http(s) file inputs are fetched here and sent on as data: URLs.
     */
    static Forwarder.Rewriter requests(JsonNode schema, UrlFetcher fetcher, WebhookRelay webhooks) {
        return (kind, body) -> {
            JsonNode request;
            try {
                request = Json.MAPPER.readTree(body);
            } catch (IOException notJson) {
                return null; // the runtime answers it
            }
            if (request == null || !request.isObject()) {
                return null;
            }
            if (request.get("webhook") != null && request.get("webhook").isTextual()) {
                webhooks.allow(request.get("webhook").asText());
            }
            if (schema == null || !(request.get("input") instanceof ObjectNode input)) {
                return null;
            }
            UrlInputs.inline(schema, kind.equals("trainings") ? "TrainingInput" : "Input", input, fetcher);
            try {
                return Json.MAPPER.writeValueAsBytes(request);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** The address for --host, refused unless it is a loopback one: the API has no authentication. */
    static InetAddress loopback(String host) {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--host " + host + " is not an address");
        }
        if (!address.isLoopbackAddress()) {
            throw new CliError(ErrorCode.ERR_OPTION_INVALID, "--host " + host + " is not a loopback address; the model's API "
                    + "has no authentication, so hangar serve listens on 127.0.0.1, ::1 or localhost only");
        }
        return address;
    }
}
