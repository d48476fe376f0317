package dev.hangar.gateway.ws;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import org.jboss.logging.Logger;

/** {@code /v1/runs/stream}: the operators' view, every event of the caller's runs from now on. */
@WebSocket(path = "/v1/runs/stream")
public class AllRunsSocket {
    private static final Logger LOG = Logger.getLogger(AllRunsSocket.class);

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

    /** A client message past {@code max-message-size}: Netty has closed the socket with 1009 already. */
    @OnError
    public void onTooLarge(WebSocketConnection connection, CorruptedWebSocketFrameException e) {
        LOG.debugf("closed stream %s: %s", connection.id(), e.getMessage());
    }

    /** On the event loop: a map removal, and 1,000 sockets closing at a run's end need no worker hop each. */
    @OnClose
    @NonBlocking
    public void onClose(WebSocketConnection connection) {
        hub.unfollowAll(connection);
    }
}
