package dev.hangar.cli.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Problem;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.RunAccepted;
import dev.hangar.contracts.RunRequest;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The gateway's REST API ({@code /v1/...}); every non-2xx answer becomes a {@link CliError}.
 * Close it: a live JDK client keeps a selector thread in native code, and the JVM waits up to
 * 300 ms for such threads when it exits.
 */
public final class GatewayClient implements AutoCloseable {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final String token;
    private final HttpClient http;

    public GatewayClient(URI base, String token) {
        this.base = base;
        this.token = token;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (!"https".equals(base.getScheme())) {
            b.sslContext(PlainHttp.SSL); // the default context parses the CA store: ~0.3 s of start-up for nothing
        }
        this.http = b.build();
    }

    @Override
    public void close() {
        http.shutdownNow();
    }

    public URI base() {
        return base;
    }

    public HttpClient http() {
        return http;
    }

    public EventStream eventStream() {
        return new WebSocketEventStream(http, token);
    }

    /** {@code POST /v1/runs}: 202 with where to follow the run. */
    public RunAccepted submit(RunRequest request) {
        JsonNode body = send("POST", "/v1/runs", Json.write(request));
        return CliJson.convert(body, RunAccepted.class);
    }

    /** {@code GET /v1/runs/{id}}: the envelope once finished, else a run summary. */
    public JsonNode getRun(String executionId) {
        return send("GET", "/v1/runs/" + segment(executionId), null);
    }

    /** {@code GET /v1/runs?limit=N}: summaries, newest first. */
    public JsonNode listRuns(int limit) {
        return send("GET", "/v1/runs?limit=" + limit, null);
    }

    public JsonNode getProcessor(ProcessorRef ref) {
        return send("GET", processorPath(ref), null);
    }

    public JsonNode listProcessors() {
        return send("GET", "/v1/processors", null);
    }

    /** {@code PUT /v1/processors/{ns}/{name}/versions/{ver}}: stores the spec with its pins. */
    public JsonNode putProcessor(ProcessorSpec spec) {
        return send("PUT", processorPath(spec.ref()), Json.write(spec));
    }

    /** The WebSocket URL of a run's events, for when the gateway did not name one. */
    public URI streamUri(String executionId) {
        String scheme = "https".equals(base.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + "://" + base.getRawAuthority() + basePath() + "/v1/runs/" + segment(executionId) + "/stream");
    }

    /** The stream URL the gateway sent, made absolute against the gateway URL if it is relative. */
    public URI streamUri(String executionId, String sent) {
        if (sent == null || sent.isBlank()) {
            return streamUri(executionId);
        }
        URI uri = URI.create(sent);
        if (uri.isAbsolute()) {
            return uri;
        }
        String scheme = "https".equals(base.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + "://" + base.getRawAuthority()).resolve(uri);
    }

    /** HTTP status of {@code GET /q/health/ready}, or -1 when the gateway does not answer. */
    public int readiness() {
        HttpRequest request = request("/q/health/ready").timeout(Duration.ofSeconds(3)).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private JsonNode send(String method, String path, String json) {
        HttpRequest.Builder b = request(path).timeout(REQUEST_TIMEOUT).header("Accept", "application/json");
        if (json != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw CliError.unreachable("gateway", base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliError(ErrorCode.ERR_CANCELED, "interrupted while waiting for the gateway", e);
        }
        int status = response.statusCode();
        if (status / 100 != 2) {
            throw failure(method, path, status, response.body());
        }
        try {
            return CliJson.parse(response.body().isEmpty() ? "null" : response.body());
        } catch (JsonProcessingException e) {
            throw new CliError(ErrorCode.ERR_INTERNAL, "the gateway answered " + method + " " + path
                    + " with HTTP " + status + " but not with JSON", e);
        }
    }

    /** problem+json keeps the gateway's code; any other error body is classified by status. */
    static CliError failure(String method, String path, int status, String body) {
        try {
            JsonNode node = CliJson.parse(body);
            if (node != null && node.hasNonNull("code")) {
                Problem p = CliJson.LENIENT.treeToValue(node, Problem.class);
                return CliError.from(p, node.path("code").asText());
            }
        } catch (JsonProcessingException | IllegalArgumentException e) {
            // not a problem document; classified below
        }
        ErrorCode code = switch (status) {
            case 401, 403 -> ErrorCode.ERR_UNAUTHORIZED;
            case 422 -> ErrorCode.ERR_INPUT_INVALID;
            case 502, 503, 504 -> ErrorCode.ERR_UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.ERR_INTERNAL : ErrorCode.ERR_BAD_REQUEST;
        };
        String excerpt = body == null || body.isBlank() ? "" : ": " + abbreviate(body.strip(), 200);
        return new CliError(code, "the gateway answered " + method + " " + path + " with HTTP " + status + excerpt);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private String basePath() {
        String p = base.getRawPath();
        return p == null ? "" : p;
    }

    private static String processorPath(ProcessorRef ref) {
        return "/v1/processors/" + segment(ref.namespace()) + "/" + segment(ref.name()) + "/versions/" + ref.version();
    }

    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String s, int max) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() <= max ? one : one.substring(0, max) + "...";
    }
}
