package dev.hangar.runtime.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A faithful fake of the published OpenAI Chat Completions API, streaming flavour: {@code POST
 * /v1/chat/completions} with a Bearer key and {@code "stream": true} is answered as
 * {@code text/event-stream}, one {@code chat.completion.chunk} per {@code data:} event (a role delta
 * first, one content delta per piece, a last chunk carrying {@code finish_reason}, a usage chunk with
 * empty {@code choices} when {@code stream_options.include_usage}), then {@code data: [DONE]}.
 * Without {@code stream} it answers one {@code chat.completion}. Errors have OpenAI's shape
 * {@code {"error":{"message","type","param","code"}}}: 401 for a wrong key, 404 for another path.
 *
 * <p>A JDK {@link HttpServer} on 127.0.0.1 at an ephemeral port. It records every request.
 */
public final class FakeOpenAiServer implements AutoCloseable {
    static final String MODEL_SUFFIX = "-2024-fake";
    static final long CREATED = 1_700_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as the server saw it; header names lower-cased. */
    public record Request(String method, String path, Map<String, String> headers, JsonNode body) {}

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile String acceptedKey;
    private volatile List<String> pieces = List.of("Hello", "!");
    private volatile String finishReason = "stop";
    private volatile int failStatus;
    private volatile String failMessage;

    private FakeOpenAiServer(String acceptedKey) throws IOException {
        this.acceptedKey = acceptedKey;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public static FakeOpenAiServer start(String acceptedKey) throws IOException {
        return new FakeOpenAiServer(acceptedKey);
    }

    /** What a client puts in {@code OPENAI_BASE_URL}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** The completion the next requests get, streamed as one content delta per piece. */
    public void reply(List<String> pieces, String finishReason) {
        this.pieces = List.copyOf(pieces);
        this.finishReason = finishReason;
        this.failStatus = 0;
    }

    /** Makes the next requests fail with this status and an OpenAI error body. */
    public void fail(int status, String message) {
        this.failStatus = status;
        this.failMessage = message;
    }

    /** The key the server accepts from now on; any other gets 401. */
    public void acceptKey(String key) {
        this.acceptedKey = key;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    void clearRequests() {
        requests.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] raw = exchange.getRequestBody().readAllBytes();
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), String.join(",", values)));
            JsonNode body;
            try {
                body = raw.length == 0 ? JSON.nullNode() : JSON.readTree(raw);
            } catch (IOException e) {
                body = JSON.nullNode();
            }
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body));

            if (!("Bearer " + acceptedKey).equals(headers.get("authorization"))) {
                // The real service echoes (part of) the key it refused: a client must not repeat it.
                String given = headers.getOrDefault("authorization", "").replaceFirst("^Bearer ", "");
                error(exchange, 401, "Incorrect API key provided: " + given + ". You can find your API key at "
                        + "https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key");
            } else if (!exchange.getRequestURI().getPath().equals("/v1/chat/completions")) {
                error(exchange, 404, "Invalid URL (" + exchange.getRequestMethod() + " "
                        + exchange.getRequestURI().getPath() + ")", "invalid_request_error", null);
            } else if (!exchange.getRequestMethod().equals("POST")) {
                error(exchange, 405, "Method not allowed", "invalid_request_error", null);
            } else if (!body.isObject() || !body.path("messages").isArray()) {
                error(exchange, 400, "We could not parse the JSON body of your request.", "invalid_request_error", null);
            } else if (failStatus != 0) {
                error(exchange, failStatus, failMessage, "server_error", null);
            } else if (body.path("stream").asBoolean(false)) {
                stream(exchange, body);
            } else {
                whole(exchange, body);
            }
        }
    }

    private void stream(HttpExchange exchange, JsonNode request) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0); // chunked
        String model = request.path("model").asText() + MODEL_SUFFIX;
        OutputStream out = exchange.getResponseBody();
        event(out, chunk(model, delta("role", "assistant").put("content", ""), null));
        for (String piece : pieces) {
            event(out, chunk(model, delta("content", piece), null));
        }
        event(out, chunk(model, JSON.createObjectNode(), finishReason));
        if (request.path("stream_options").path("include_usage").asBoolean(false)) {
            ObjectNode usage = chunk(model, null, null);
            usage.set("usage", usage(request));
            event(out, usage);
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void whole(HttpExchange exchange, JsonNode request) throws IOException {
        ObjectNode completion = base("chat.completion", request.path("model").asText() + MODEL_SUFFIX);
        ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", String.join("", pieces));
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        completion.set("usage", usage(request));
        send(exchange, 200, completion);
    }

    private ObjectNode usage(JsonNode request) {
        int prompt = 0;
        for (JsonNode message : request.path("messages")) {
            prompt += message.path("content").asText().split("\\s+").length;
        }
        return JSON.createObjectNode().put("prompt_tokens", prompt).put("completion_tokens", pieces.size())
                .put("total_tokens", prompt + pieces.size());
    }

    private static ObjectNode base(String object, String model) {
        return JSON.createObjectNode().put("id", "chatcmpl-fake0001").put("object", object).put("created", CREATED)
                .put("model", model).put("system_fingerprint", "fp_fake");
    }

    /** A chunk; {@code delta == null} gives the usage chunk's empty {@code choices}. */
    private static ObjectNode chunk(String model, ObjectNode delta, String finishReason) {
        ObjectNode chunk = base("chat.completion.chunk", model);
        ArrayNode choices = chunk.putArray("choices");
        if (delta != null) {
            ObjectNode choice = choices.addObject().put("index", 0);
            choice.set("delta", delta);
            choice.putNull("logprobs");
            choice.put("finish_reason", finishReason);
        }
        return chunk;
    }

    private static ObjectNode delta(String field, String value) {
        return JSON.createObjectNode().put(field, value);
    }

    private static void event(OutputStream out, JsonNode data) throws IOException {
        out.write(("data: " + JSON.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void error(HttpExchange exchange, int status, String message, String type, String code)
            throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error").put("message", message).put("type", type);
        error.putNull("param");
        error.put("code", code);
        send(exchange, status, body);
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
