package dev.hangar.runtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container that floods the client: answers that never end, a line without an end, an SSE
 * event of endless data lines, endless headers. The client stops at its limit with
 * {@link ReplyTooLargeException}, having read little more than the limit, whatever was sent.
 */
class FloodTest {
    private static final int LIMIT = 64 * 1024;
    private static final byte[] FILLER = "data: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
            .repeat(1024).getBytes(StandardCharsets.US_ASCII);

    /** Serves {@code head} then {@code repeat} for ever (until the client hangs up); counts the bytes sent. */
    private static AtomicLong flood(Path socket, String head, byte[] repeat) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        var sent = new AtomicLong();
        Thread.ofVirtual().start(() -> {
            try (server; SocketChannel client = server.accept()) {
                client.read(ByteBuffer.allocate(64 * 1024));
                client.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.UTF_8)));
                while (sent.get() < 1L << 30) {
                    sent.addAndGet(client.write(ByteBuffer.wrap(repeat)));
                }
            } catch (IOException e) {
                // the client hung up: what a flood should get
            }
        });
        return sent;
    }

    private static RuntimeClient client(Path socket) {
        return RuntimeClient.unixSocket(socket).withMaxReplyBytes(LIMIT).withTimeout(Duration.ofSeconds(5));
    }

    @Test
    void aJsonBodyThatNeverEnds(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("s.sock");
        flood(socket, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"status\":\"", "x".repeat(8192).getBytes());
        var e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(ReplyTooLargeException.class, () -> client(socket).health()));
        assertEquals(LIMIT, e.limit());
        assertTrue(e.getMessage().contains("a reply body larger than " + LIMIT), e.getMessage());
    }

    @Test
    void aChunkedBodyThatNeverEnds(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("s.sock");
        flood(socket, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                ("2000\r\n" + "x".repeat(0x2000) + "\r\n").getBytes());
        assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(ReplyTooLargeException.class, () -> client(socket).health()));
    }

    @Test
    void anSseEventOfEndlessDataLines(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("s.sock");
        var sent = flood(socket, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\nevent: log\n", FILLER);
        var e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(ReplyTooLargeException.class,
                () -> client(socket).predict("p1", new ObjectMapper().createObjectNode(), event -> { })));
        assertTrue(e.getMessage().contains("an event larger than " + LIMIT), e.getMessage());
        assertTrue(sent.get() < 64L * LIMIT, "stopped reading soon after the limit, not after " + sent.get() + " bytes");
    }

    @Test
    void anSseLineWithoutAnEnd(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("s.sock");
        flood(socket, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: ", "y".repeat(8192).getBytes());
        var e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(ReplyTooLargeException.class,
                () -> client(socket).predict("p1", new ObjectMapper().createObjectNode(), event -> { })));
        assertTrue(e.getMessage().contains("a line larger than " + LIMIT), e.getMessage());
    }

    @Test
    void endlessHeaders(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("s.sock");
        flood(socket, "HTTP/1.1 200 OK\r\n", "X-Flood: 1\r\n".repeat(512).getBytes());
        assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(ReplyTooLargeException.class, () -> client(socket).health()));
    }

    @Test
    void aTooSmallLimitIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RuntimeClient.unixSocket(Path.of("/x")).withMaxReplyBytes(10));
    }
}
