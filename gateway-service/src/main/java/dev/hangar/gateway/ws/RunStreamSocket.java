package dev.hangar.gateway.ws;

import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Problem;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import org.jboss.logging.Logger;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code /v1/runs/{id}/stream}: every event of one run (replayed, then live), then its envelope;
 * with {@code ?after=<attempt>:<seq>} (or a {@code Last-Event-ID} header) only what comes after.
 * Callbacks return void, so websockets-next runs them on worker threads (the replay reads the DB),
 * all but the close, which only drops the socket from its run.
 */
@WebSocket(path = "/v1/runs/{id}/stream")
public class RunStreamSocket {
    private static final Logger LOG = Logger.getLogger(RunStreamSocket.class);

    private final StreamHub hub;
    private final SocketAuth auth;

    public RunStreamSocket(StreamHub hub, SocketAuth auth) {
        this.hub = hub;
        this.auth = auth;
    }

    @OnOpen
    public void onOpen(WebSocketConnection connection) {
        auth.owner(connection).ifPresent(owner -> {
            var request = connection.handshakeRequest();
            Cursor from;
            try {
                from = Cursor.parse(request.query() == null ? null : queryParam(request.query(), "after"),
                        request.header("Last-Event-ID"));
            } catch (HangarException e) {
                StreamHub.refuse(connection, Problem.of(e, connection.pathParam("id")));
                return;
            }
            hub.follow(connection, connection.pathParam("id"), owner, from);
        });
    }

    /** The stream is one-way; anything a client sends is ignored rather than treated as an error. */
    @OnTextMessage
    public void onText(String ignored) {
        // nothing to do
    }

    private static String queryParam(String query, String name) {
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
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
        hub.unfollow(connection, connection.pathParam("id"));
    }
}
