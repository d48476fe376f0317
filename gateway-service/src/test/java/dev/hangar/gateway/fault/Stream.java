package dev.hangar.gateway.fault;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A real WebSocket subscriber that keeps every JSON frame, and how the socket ended. */
final class Stream implements WebSocket.Listener {
    final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    /** Completes with the close code, or exceptionally when the connection breaks. */
    final CompletableFuture<Integer> ended = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket socket;

    static Stream open(URI uri, Map<String, String> headers) throws Exception {
        var stream = new Stream();
        var builder = HttpClient.newHttpClient().newWebSocketBuilder();
        builder.header("Authorization", "Bearer " + GatewayProcess.TOKEN);
        headers.forEach(builder::header);
        stream.socket = builder.buildAsync(uri, stream).get(10, TimeUnit.SECONDS);
        return stream;
    }

    static Stream open(URI uri) throws Exception {
        return open(uri, Map.of());
    }

    /** Events only (frames with an {@code event}), as {@code attempt:seq}. */
    List<String> positions() {
        return frames.stream().filter(f -> f.has("event")).map(f -> f.get("attempt").asInt() + ":" + f.get("seq").asLong()).toList();
    }

    List<JsonNode> eventsOf(String executionId) {
        return frames.stream().filter(f -> f.has("event") && executionId.equals(f.get("execution_id").asText())).toList();
    }

    boolean gotEnvelope() {
        return frames.stream().anyMatch(f -> !f.has("event") && f.has("status"));
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                frames.add(Json.MAPPER.readTree(partial.toString()));
            } catch (Exception e) {
                ended.completeExceptionally(e);
            }
            partial.setLength(0);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        ended.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        ended.completeExceptionally(error);
    }
}
