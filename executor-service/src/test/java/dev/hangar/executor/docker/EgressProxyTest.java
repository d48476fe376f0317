package dev.hangar.executor.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.hangar.contracts.ProcessorSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The egress proxy on a real unix socket, without Docker: what it lets through and what it refuses. */
class EgressProxyTest {
    @TempDir
    Path dir;
    private HttpServer upstream;
    private int port;
    private final List<String> refused = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startUpstream() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            byte[] body = ("upstream saw " + exchange.getRequestURI() + " host " + exchange.getRequestHeaders().getFirst("Host"))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        port = upstream.getAddress().getPort();
    }

    @AfterEach
    void stopUpstream() {
        upstream.stop(0);
    }

    private String exchange(EgressProxy proxy, String request) throws IOException {
        try (var channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(proxy.path()));
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
            channel.shutdownOutput();
            var out = new StringBuilder();
            var buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer.clear()) > 0) {
                out.append(StandardCharsets.UTF_8.decode(buffer.flip()));
            }
            return out.toString();
        }
    }

    @Test
    void anAllowedLiteralIsReachedByConnectAndByPlainHttp() throws Exception {
        try (var proxy = EgressProxy.open(dir, new ProcessorSpec.Network(List.of("127.0.0.1:" + port)), refused::add, 4)) {
            String tunnel = exchange(proxy, "CONNECT 127.0.0.1:" + port + " HTTP/1.1\r\n\r\nGET /t HTTP/1.1\r\nHost: x\r\n"
                    + "Connection: close\r\n\r\n");
            assertTrue(tunnel.startsWith("HTTP/1.1 200 Connection established") && tunnel.contains("upstream saw /t"), tunnel);
            String plain = exchange(proxy, "GET http://127.0.0.1:" + port + "/p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nProxy-Connection: keep-alive\r\n\r\n");
            assertTrue(plain.startsWith("HTTP/1.1 200") && plain.contains("upstream saw /p?q=1"), plain);
            assertEquals(List.of(), refused);
        }
    }

    @Test
    void aNameThatResolvesToLoopbackIsRefusedEvenWhenAllowed() throws Exception {
        try (var proxy = EgressProxy.open(dir, new ProcessorSpec.Network(List.of("localhost:" + port)), refused::add, 4)) {
            String answer = exchange(proxy, "CONNECT localhost:" + port + " HTTP/1.1\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 403"), answer);
            assertTrue(refused.getFirst().contains("does not resolve to an address the proxy may reach"), refused.toString());
        }
    }

    @Test
    void anythingElseIs403OrABadRequest() throws Exception {
        try (var proxy = EgressProxy.open(dir, new ProcessorSpec.Network(List.of("127.0.0.1:" + port)), refused::add, 4)) {
            assertTrue(exchange(proxy, "CONNECT 127.0.0.1:9092 HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 403"));
            assertTrue(exchange(proxy, "GET http://127.0.0.1:" + (port + 1) + "/ HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 403"));
            assertTrue(exchange(proxy, "GET /relative HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n").startsWith("HTTP/1.1 400"),
                    "an origin-form request names no destination the proxy checked");
            assertTrue(exchange(proxy, "GET http://user@127.0.0.1:" + port + "/ HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 400"));
            assertTrue(exchange(proxy, "x".repeat(16 * 1024)).startsWith("HTTP/1.1 400"), "no head within 16 KiB");
            assertEquals(2, refused.size(), refused.toString());
            assertTrue(refused.getFirst().startsWith("hangar-egress: refused CONNECT 127.0.0.1:9092"), refused.toString());
        }
    }

    @Test
    void refusalsAreReportedOnlyUpToALimit() throws Exception {
        try (var proxy = EgressProxy.open(dir, ProcessorSpec.Network.NONE, refused::add, 4)) {
            for (int i = 0; i < EgressProxy.MAX_REPORTED + 5; i++) {
                exchange(proxy, "CONNECT 127.0.0.1:5432 HTTP/1.1\r\n\r\n");
            }
            assertEquals(EgressProxy.MAX_REPORTED, refused.size());
            assertTrue(refused.getLast().contains("further refusals are not reported"));
        }
    }
}
