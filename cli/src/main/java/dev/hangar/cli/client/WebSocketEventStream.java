package dev.hangar.cli.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/** {@link EventStream} over the JDK WebSocket client. */
public final class WebSocketEventStream implements EventStream {
    private final HttpClient http;
    private final String token;

    public WebSocketEventStream(HttpClient http, String token) {
        this.http = http;
        this.token = token;
    }

    @Override
    public AutoCloseable open(URI uri, BlockingQueue<Signal> signals) {
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        try {
            WebSocket ws = builder.buildAsync(uri, new Collector(signals)).join();
            return ws::abort;
        } catch (CompletionException e) {
            signals.add(new Failed(e.getCause() == null ? e : e.getCause()));
            return () -> {};
        }
    }

    /**
     * Reassembles fragmented text frames. It asks for unlimited messages up front: the queue is
     * unbounded anyway, and the JDK client (up to 25 at least) loses frames and throws
     * InternalError when the server closes the TCP connection while demand is zero.
     */
    private static final class Collector implements WebSocket.Listener {
        private final BlockingQueue<Signal> signals;
        private StringBuilder text = new StringBuilder();

        Collector(BlockingQueue<Signal> signals) {
            this.signals = signals;
        }

        @Override
        public void onOpen(WebSocket ws) {
            ws.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                signals.add(new Frame(text.toString()));
                text = new StringBuilder();
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            signals.add(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            signals.add(new Failed(error));
        }
    }
}
