package dev.hangar.gateway.ws;

import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;

/** {@code /v1/runs/stream}: the operators' view, every event of the caller's runs from now on. */
@WebSocket(path = "/v1/runs/stream")
public class AllRunsSocket {
    private final StreamHub hub;
    private final SocketAuth auth;

    public AllRunsSocket(StreamHub hub, SocketAuth auth) {
        this.hub = hub;
        this.auth = auth;
    }

    /** Every event of the caller's runs (and of runs written straight to the bus) from now on. */
    @OnOpen
    public void onOpen(WebSocketConnection connection) {
        auth.owner(connection).ifPresent(owner -> hub.followAll(connection, owner));
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
