package dev.hangar.runtime.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Talks the Cog HTTP prediction API to a Hangar runtime (unix socket) or a Cog image (TCP).
 *
 * <p>Hand-written HTTP/1.1 because {@code java.net.http.HttpClient} cannot use a unix socket, and
 * the socket is what lets a processor container run with no network at all. One connection per
 * call, {@code Connection: close}. Immutable and thread-safe.
 */
public final class RuntimeClient {
    /** How long any single wait for bytes may last; the runtime sends a keep-alive every 5 s while streaming. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The largest body or SSE event read by default (the final event carries the prediction's logs). */
    public static final int DEFAULT_MAX_REPLY_BYTES = 16 * 1024 * 1024;
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final SocketAddress address;
    private final String hostHeader;
    private final Duration timeout;
    private final int maxReplyBytes;

    private RuntimeClient(SocketAddress address, String hostHeader, Duration timeout, int maxReplyBytes) {
        this.address = address;
        this.hostHeader = hostHeader;
        this.timeout = timeout;
        this.maxReplyBytes = maxReplyBytes;
    }

    public static RuntimeClient unixSocket(Path socket) {
        return new RuntimeClient(UnixDomainSocketAddress.of(socket), "localhost", DEFAULT_TIMEOUT, DEFAULT_MAX_REPLY_BYTES);
    }

    public static RuntimeClient tcp(String host, int port) {
        return new RuntimeClient(new InetSocketAddress(host, port), host + ":" + port, DEFAULT_TIMEOUT, DEFAULT_MAX_REPLY_BYTES);
    }

    /** A client whose connects and reads give up after {@code timeout} without a byte. */
    public RuntimeClient withTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        return new RuntimeClient(address, hostHeader, timeout, maxReplyBytes);
    }

    /**
     * A client that reads at most {@code max} bytes of any one body, SSE event or line, and fails
     * with {@link ReplyTooLargeException} past it: the container is not trusted to be brief.
     */
    public RuntimeClient withMaxReplyBytes(int max) {
        if (max < 1024) {
            throw new IllegalArgumentException("max reply bytes must be at least 1024: " + max);
        }
        return new RuntimeClient(address, hostHeader, timeout, max);
    }

    public Duration timeout() {
        return timeout;
    }

    /** {@code GET /health-check}; an IOException while the runtime is not listening yet. */
    public Health health() throws IOException {
        return Health.of(getJson("/health-check"));
    }

    /**
     * Runs a prediction, streaming: {@code onEvent} gets each log, token and progress event (see {@link StreamEvent}) as it
     * arrives (on the calling thread), and the final prediction is returned whatever its status.
     * An {@code id} already known to the runtime attaches to that prediction instead of starting
     * another. A server without SSE (plain Cog) answers with the final object and no events.
     *
     * @param id the prediction id, or null to let the runtime choose one
     * @throws RuntimeResponseException 409 if all the runtime's slots (and its queue) are taken
     */
    public Prediction predict(String id, JsonNode input, Consumer<StreamEvent> onEvent) throws IOException {
        return predict(id, input, RunContext.NONE, onEvent);
    }

    /**
     * {@link #predict(String, JsonNode, Consumer)} for one run of a warm container: with the run's
     * own output folder and execution id.
     *
     * @throws RuntimeResponseException 409 if all the runtime's slots (and its queue) are taken,
     *                                  422 if {@code run.outputDir()} is not one the runtime accepts
     */
    public Prediction predict(String id, JsonNode input, RunContext run, Consumer<StreamEvent> onEvent) throws IOException {
        ObjectNode body = body(input, run);
        if (id != null) {
            body.put("id", id);
        }
        return stream("POST", "/predictions", body, onEvent);
    }

    /**
     * {@code PUT /predictions/{id}}: the idempotent create. The same id again returns the existing
     * prediction (waiting for its end) and never runs it twice, so a retried call is safe.
     */
    public Prediction put(String id, JsonNode input) throws IOException {
        return put(id, input, RunContext.NONE);
    }

    /** {@link #put(String, JsonNode)} for one run of a warm container; see {@link RunContext}. */
    public Prediction put(String id, JsonNode input, RunContext run) throws IOException {
        // Streamed under the hood, so the keep-alives protect a long run from the read timeout.
        return stream("PUT", "/predictions/" + encode(id), body(input, run), event -> { });
    }

    private static ObjectNode body(JsonNode input, RunContext run) {
        Objects.requireNonNull(run, "run");
        ObjectNode body = JSON.createObjectNode();
        body.set("input", input);
        if (run.outputDir() != null) {
            body.put("output_dir", run.outputDir());
        }
        if (run.executionId() != null) {
            body.putObject("context").put("execution_id", run.executionId());
        }
        return body;
    }

    /** {@code POST /predictions/{id}/cancel}; the prediction then ends as {@code canceled}. */
    public void cancel(String id) throws IOException {
        send("POST", "/predictions/" + encode(id) + "/cancel", Map.of(), null).requireSuccess();
    }

    /** {@code GET /openapi.json}; {@code components.schemas.Input} is the processor's input schema. */
    public JsonNode openapi() throws IOException {
        return getJson("/openapi.json");
    }

    private JsonNode getJson(String path) throws IOException {
        return JSON.readTree(send("GET", path, Map.of(), null).requireSuccess().body());
    }

    private Prediction stream(String method, String path, JsonNode body, Consumer<StreamEvent> onEvent) throws IOException {
        Objects.requireNonNull(onEvent, "onEvent");
        String request = method + " " + path;
        try (HttpConnection connection = HttpConnection.open(address, timeout)) {
            connection.write(request(method, path, Map.of("Accept", "text/event-stream"), JSON.writeValueAsBytes(body)));
            HttpResponse response = HttpResponse.read(new BufferedInputStream(connection.input()));
            if (response.status() / 100 != 2) {
                throw new RuntimeResponseException(response.status(), request, errorBody(response));
            }
            if (!response.isEventStream()) {
                return Prediction.of(JSON.readTree(response.bodyBytes(maxReplyBytes)));
            }
            SseReader events = new SseReader(response.body(), maxReplyBytes);
            for (SseReader.Event event; (event = events.next()) != null; ) {
                JsonNode data = JSON.readTree(event.data());
                if ("completed".equals(event.type()) || "done".equals(event.type())) {
                    return Prediction.of(data);
                }
                if ("error".equals(event.type())) {
                    // Cog ends a stream that lost events with `error`: say so, then wait for the final state.
                    onEvent.accept(StreamEvent.log("stderr", "runtime: " + data.path("detail").asText("events were dropped")));
                    return awaitFinal(body, request);
                }
                onEvent.accept(StreamEvent.of(event.type(), data));
            }
            throw new EOFException("the runtime closed the stream of " + request + " before the prediction finished");
        }
    }

    /** After a stream gap: the same prediction again by id (idempotent, waits for its end, never runs it twice). */
    private Prediction awaitFinal(JsonNode body, String request) throws IOException {
        String id = body.path("id").asText(null);
        if (id == null) {
            throw new EOFException("the runtime dropped events of " + request + " and the prediction has no id to fetch it by");
        }
        RawResponse response = send("PUT", "/predictions/" + encode(id), Map.of(), JSON.writeValueAsBytes(body));
        return Prediction.of(JSON.readTree(response.requireSuccess().bytes()));
    }

    /** One exchange, body read whole. Package-private: the tests use it for the raw protocol. */
    RawResponse send(String method, String path, Map<String, String> headers, byte[] body) throws IOException {
        try (HttpConnection connection = HttpConnection.open(address, timeout)) {
            connection.write(request(method, path, headers, body));
            HttpResponse response = HttpResponse.read(new BufferedInputStream(connection.input()));
            return new RawResponse(method + " " + path, response.status(), response.header("content-type"),
                    response.bodyBytes(maxReplyBytes));
        }
    }

    private byte[] request(String method, String path, Map<String, String> headers, byte[] body) {
        var head = new StringBuilder()
                .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostHeader).append("\r\n")
                .append("User-Agent: hangar-runtime-client\r\n")
                .append("Connection: close\r\n");
        if (!headers.containsKey("Accept")) {
            head.append("Accept: application/json\r\n");
        }
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (body != null) {
            head.append("Content-Type: application/json\r\n");
        }
        // Always a length, even 0: some servers refuse a POST without one.
        head.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n\r\n");
        var out = new ByteArrayOutputStream(head.length() + (body == null ? 0 : body.length));
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    private static String errorBody(HttpResponse response) throws IOException {
        byte[] bytes = response.body().readNBytes(MAX_ERROR_BODY);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Ids are ours (execution ids), but a path segment must stay one segment whatever they hold. */
    private static String encode(String id) {
        Objects.requireNonNull(id, "id");
        var out = new StringBuilder();
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "RuntimeClient[" + HttpConnection.describe(address) + ", timeout " + timeout + "]";
    }

    /** A whole response, for the simple calls and the tests. */
    record RawResponse(String request, int status, String contentType, byte[] bytes) {
        String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        RawResponse requireSuccess() throws RuntimeResponseException {
            if (status / 100 != 2) {
                throw new RuntimeResponseException(status, request, body());
            }
            return this;
        }
    }
}
