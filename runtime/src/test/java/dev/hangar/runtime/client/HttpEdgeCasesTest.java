package dev.hangar.runtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Responses the Python runtime never sends but a Cog image (uvicorn) or a dying container can:
 * chunked bodies, silence, a stream cut short. Served by a few lines of Java on a real unix socket.
 */
class HttpEdgeCasesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Accepts one connection, reads the request head, writes {@code answer}, then closes (or hangs). */
    private static Thread serveOnce(Path socket, String answer, boolean hang, CountDownLatch release) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread thread = Thread.ofVirtual().start(() -> {
            try (server; SocketChannel client = server.accept()) {
                var head = new StringBuilder();
                ByteBuffer buffer = ByteBuffer.allocate(4096);
                while (!head.toString().contains("\r\n\r\n") && client.read(buffer.clear()) > 0) {
                    head.append(StandardCharsets.ISO_8859_1.decode(buffer.flip()));
                }
                client.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
                if (hang) {
                    release.await();
                }
            } catch (IOException | InterruptedException e) {
                // the test is over
            }
        });
        return thread;
    }

    private static String chunked(String... chunks) {
        var body = new StringBuilder();
        for (String chunk : chunks) {
            body.append(Integer.toHexString(chunk.getBytes(StandardCharsets.UTF_8).length)).append(";ext=1\r\n").append(chunk).append("\r\n");
        }
        return body.append("0\r\n\r\n").toString();
    }

    @Test
    void readsAChunkedJsonBody(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("s.sock");
        serveOnce(socket, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunked("{\"status\":", "\"READY\",\"setup\":{}}"), false, null);

        Health health = RuntimeClient.unixSocket(socket).health();

        assertTrue(health.ready());
    }

    @Test
    void readsAChunkedEventStream(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("s.sock");
        serveOnce(socket, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunked(": keep-alive\r\n\r\nevent: token\r\nda", "ta: {\"text\":\"hi\"}\r\n\r\n",
                        "event: done\ndata: {\"id\":\"c1\",\"status\":\"succeeded\",\"output\":[1],\"error\":null,\"logs\":\"\"}\n\n"),
                false, null);
        List<StreamEvent> events = new ArrayList<>();

        Prediction prediction = RuntimeClient.unixSocket(socket).predict("c1", JSON.createObjectNode(), events::add);

        assertTrue(prediction.succeeded());
        assertEquals(JSON.readTree("[1]"), prediction.output());
        assertEquals(List.of(new StreamEvent("token", JSON.readTree("{\"text\":\"hi\"}"))), events);
    }

    @Test
    void aPlainJsonAnswerToAStreamingRequestIsTheFinalPrediction(@TempDir Path dir) throws Exception {
        // What a Cog server without SSE does: it ignores Accept and answers when done.
        String body = "{\"id\":\"p1\",\"status\":\"failed\",\"output\":null,\"error\":\"KeyError: 'x'\",\"logs\":\"boom\\n\"}";
        Path socket = dir.resolve("s.sock");
        serveOnce(socket, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body, false, null);

        Prediction prediction = RuntimeClient.unixSocket(socket).predict("p1", JSON.createObjectNode(), e -> { });

        assertEquals("failed", prediction.status());
        assertEquals("KeyError: 'x'", prediction.error());
        assertEquals("boom\n", prediction.logs());
    }

    @Test
    void aSilentRuntimeTimesOutInsteadOfHanging(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("s.sock");
        var release = new CountDownLatch(1);
        serveOnce(socket, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\nevent: token\ndata: {\"text\":\"a\"}\n\n",
                true, release);
        RuntimeClient client = RuntimeClient.unixSocket(socket).withTimeout(Duration.ofMillis(300));
        List<StreamEvent> events = new ArrayList<>();
        long started = System.nanoTime();
        try {
            assertThrows(SocketTimeoutException.class, () -> client.predict("t1", JSON.createObjectNode(), events::add));
        } finally {
            release.countDown();
        }
        assertEquals(1, events.size(), "events before the silence were delivered");
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(5)) < 0);
    }

    @Test
    void aStreamCutBeforeDoneIsAnError(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("s.sock");
        serveOnce(socket, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\nevent: log\ndata: {\"line\":\"x\"}\n\n",
                false, null);

        assertThrows(EOFException.class, () -> RuntimeClient.unixSocket(socket).predict("e1", JSON.createObjectNode(), e -> { }));
    }

    @Test
    void noSocketYetIsAnIOException(@TempDir Path dir) {
        assertThrows(IOException.class, () -> RuntimeClient.unixSocket(dir.resolve("absent.sock")).health());
    }
}
