package dev.hangar.gateway.ws;

import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * {@code /v1/runs/{id}/stream}: every event of one run (replayed, then live), then its envelope.
 * Callbacks return void, so websockets-next runs them on worker threads (the replay reads the DB).
 */
@WebSocket(path = "/v1/runs/{id}/stream")
public class RunStreamSocket {
    private final StreamHub hub;
    private final SocketAuth auth;

    public RunStreamSocket(StreamHub hub, SocketAuth auth) {
        this.hub = hub;
        this.auth = auth;
    }

    @OnOpen
    public void onOpen(WebSocketConnection connection) {
        auth.owner(connection).ifPresent(owner -> hub.follow(connection, connection.pathParam("id"), owner));
    }

    /** The stream is one-way; anything a client sends is ignored rather than treated as an error. */
    @OnTextMessage
    public void onText(String ignored) {
        // nothing to do
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        hub.unfollow(connection, connection.pathParam("id"));
    }
}
