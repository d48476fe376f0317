package dev.hangar.runtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HANGAR_PORT instead of HANGAR_SOCKET: loopback TCP, as Cog images are reached on port 5000. */
class TcpModeTest {

    @Test
    void servesTheSameApiOverLoopbackTcp(@TempDir Path dir) throws Exception {
        int port;
        try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (var runtime = RuntimeProcess.startTcp(dir, "basic", port)) {
            runtime.awaitReady();
            List<StreamEvent> events = new ArrayList<>();

            Prediction prediction = runtime.client.predict("tcp-1", new ObjectMapper().readTree("{\"text\":\"over tcp\"}"), events::add);

            assertTrue(prediction.succeeded(), prediction.raw().toString());
            assertEquals("over tcp", prediction.output().path("text").asText());
            assertTrue(events.stream().anyMatch(e -> e.type().equals("token")));
            assertTrue(runtime.log().contains("listening on http://127.0.0.1:" + port), runtime.log());
            assertTrue(Files.notExists(dir.resolve("runtime.sock")));
        }
    }
}
