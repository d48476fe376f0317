package dev.hangar.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.hangar.cli.error.CliError;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OciRegistryTest {
    static final String DIGEST = "sha256:" + "ab".repeat(32);
    HttpServer server;
    final AtomicReference<String> seen = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v2/", ex -> {
            seen.set(ex.getRequestMethod() + " " + ex.getRequestURI() + " " + ex.getRequestHeaders().getFirst("Accept"));
            boolean known = ex.getRequestURI().getPath().equals("/v2/examples/echo/manifests/20261122-101530");
            boolean fullAccept = OciRegistry.ACCEPT.equals(ex.getRequestHeaders().getFirst("Accept"));
            if (known) {
                // a registry without the Accept list converts to schema 1 and sends another digest
                ex.getResponseHeaders().add("Docker-Content-Digest", fullAccept ? DIGEST : "sha256:" + "00".repeat(32));
            }
            ex.sendResponseHeaders(known ? 200 : 404, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String image() {
        return "127.0.0.1:" + server.getAddress().getPort() + "/examples/echo";
    }

    @Test
    void headsTheManifestWithEveryManifestMediaType() {
        String digest = new OciRegistry(HttpClient.newHttpClient()).manifestDigest(image(), "20261122-101530");
        assertEquals(DIGEST, digest);
        assertTrue(seen.get().startsWith("HEAD /v2/examples/echo/manifests/20261122-101530 "), seen.get());
        assertTrue(seen.get().contains("application/vnd.oci.image.index.v1+json"), seen.get());
        assertTrue(seen.get().contains("application/vnd.docker.distribution.manifest.v2+json"), seen.get());
    }

    @Test
    void anUnknownTagIsDigestNotFound() {
        var e = assertThrows(CliError.class, () -> new OciRegistry(HttpClient.newHttpClient()).manifestDigest(image(), "nope"));
        assertEquals("ERR_DIGEST_NOT_FOUND", e.code());
    }

    @Test
    void anUnreachableRegistryIsUnavailable() {
        server.stop(0);
        var e = assertThrows(CliError.class,
                () -> new OciRegistry(HttpClient.newHttpClient()).manifestDigest(image(), "20261122-101530"));
        assertEquals("ERR_UNAVAILABLE", e.code());
    }

    @Test
    void splitsRegistryFromRepository() {
        var n = OciRegistry.ImageName.parse("127.0.0.1:5000/examples/echo");
        assertEquals("127.0.0.1:5000", n.registry());
        assertEquals("examples/echo", n.repository());
    }
}
