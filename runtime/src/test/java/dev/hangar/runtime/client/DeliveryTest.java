package dev.hangar.runtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the executor hands the runtime over unix sockets, played by a few lines of Java: the secrets
 * (read once, before the processor loads, into the runtime's own environment) and the egress
 * proxy (the runtime's 127.0.0.1 forwarder and the proxy variables).
 */
class DeliveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Serves {@code answer(requestHead)} to each connection, as the executor's sockets do. */
    private static void serve(Path socket, java.util.function.Function<String, String> answer, boolean once) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().start(() -> {
            try (server) {
                do {
                    try (SocketChannel client = server.accept()) {
                        var head = new StringBuilder();
                        if (!once) {
                            ByteBuffer buffer = ByteBuffer.allocate(4096);
                            while (!head.toString().contains("\r\n\r\n") && client.read(buffer.clear()) > 0) {
                                head.append(StandardCharsets.ISO_8859_1.decode(buffer.flip()));
                            }
                        }
                        client.write(ByteBuffer.wrap(answer.apply(head.toString()).getBytes(StandardCharsets.UTF_8)));
                    }
                } while (!once);
            } catch (IOException e) {
                // the test is over
            }
            if (once) {
                try {
                    Files.deleteIfExists(socket);
                } catch (IOException ignored) {
                    // the temp folder goes anyway
                }
            }
        });
    }

    @Test
    void secretsArriveBeforeSetupAndTheProxyCarriesThePredictorsRequests(@TempDir Path dir) throws Exception {
        Path secrets = dir.resolve("secrets.sock");
        Path egress = dir.resolve("egress.sock");
        serve(secrets, head -> "{\"TEST_SECRET\":\"s3cret-value\"}", true);
        serve(egress, head -> {
            String line = head.lines().findFirst().orElse("");
            return "HTTP/1.1 200 OK\r\nContent-Length: " + line.length() + "\r\nConnection: close\r\n\r\n" + line;
        }, false);
        int port;
        try (var free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (var runtime = RuntimeProcess.start(dir, "delivery", Map.of("HANGAR_SECRETS_SOCKET", secrets.toString(),
                "HANGAR_EGRESS_SOCKET", egress.toString(), "HANGAR_EGRESS_PORT", Integer.toString(port))).awaitReady()) {
            var input = JSON.createObjectNode().put("url", "http://api.example.invalid/v1/x");
            Prediction p = runtime.client().predict("d1", input, event -> { });

            assertTrue(p.succeeded(), p.raw().toString());
            assertTrue(p.logs().contains("setup saw s3cret-value; proxy http://127.0.0.1:" + port), p.logs());
            assertTrue(p.logs().contains("through the proxy: GET http://api.example.invalid/v1/x HTTP/1.1"), p.logs());
            assertFalse(Files.exists(secrets), "the hand-off socket is gone once read");
        }
    }

    @Test
    void secretsThatCannotBeReadAreASetupFailure(@TempDir Path dir) throws Exception {
        try (var runtime = RuntimeProcess.start(dir, "delivery", Map.of("HANGAR_SECRETS_SOCKET", dir.resolve("gone.sock").toString()))) {
            Health health = runtime.awaitHealth(h -> !"STARTING".equals(h.status()));
            assertEquals("SETUP_FAILED", health.status());
            assertTrue(health.setupLogs().contains("cannot read the run's secrets from HANGAR_SECRETS_SOCKET"), health.setupLogs());
        }
    }
}
