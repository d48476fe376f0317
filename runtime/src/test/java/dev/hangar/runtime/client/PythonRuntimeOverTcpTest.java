package dev.hangar.runtime.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Python runtime with HANGAR_PORT instead of HANGAR_SOCKET: loopback TCP, as Cog images are reached on port 5000. */
class PythonRuntimeOverTcpTest extends RuntimeProtocolContract {

    private static int freePort() throws IOException {
        try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    @Override
    protected Server start(TestProcessor processor, Path dir) throws IOException {
        return RuntimeProcess.startTcp(dir, processor.file, freePort(), RuntimeProcess.contractEnv(processor, dir));
    }

    @Test
    void listensOnLoopbackTcpAndMakesNoSocket(@TempDir Path home) throws Exception {
        int port = freePort();
        try (var runtime = RuntimeProcess.startTcp(home, "basic", port, Map.of()).awaitReady()) {
            assertTrue(runtime.log().contains("listening on http://127.0.0.1:" + port), runtime.log());
            assertTrue(Files.notExists(home.resolve("runtime.sock")));
        }
    }
}
