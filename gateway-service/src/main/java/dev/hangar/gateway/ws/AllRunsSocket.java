package dev.hangar.gateway.ws;

import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;

/** {@code /v1/runs/stream}: the operators' view, every event of every run from now on. */
@WebSocket(path = "/v1/runs/stream")
public class AllRunsSocket {
    private final StreamHub hub;

    public AllRunsSocket(StreamHub hub) {
        this.hub = hub;
    }

    @OnOpen
    public void onOpen(WebSocketConnection connection) {
        hub.followAll(connection);
    }

    @OnTextMessage
    public void onText(String ignored) {
        // one-way stream
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        hub.unfollowAll(connection);
    }
}
