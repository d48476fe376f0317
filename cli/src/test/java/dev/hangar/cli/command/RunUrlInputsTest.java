package dev.hangar.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.error.CliError;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar run --ref} of a Cog processor with {@code -i doc=http://...}: in mock mode (the
 * executor's container has no network) the CLI fetches the URL and sends a data: URL, bounded to
 * what a run request carries; in real mode the URL goes as it is. One loopback server plays both
 * the gateway (the processor's spec) and the web.
 */
class RunUrlInputsTest {
    static final String SPEC = """
            {"ref":"me/model@1","image":"127.0.0.1:5000/me/model","digests":{},"inputs_schema":{"type":"object",
             "properties":{"doc":{"type":"string","format":"uri"},"docs":{"type":"array","items":{"$ref":"#/$defs/file"}},
             "n":{"type":"integer"}},"$defs":{"file":{"type":"string","format":"uri"}}}}""";

    @TempDir
    Path tmp;
    HttpServer server;
    String base;
    final List<String> fetched = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            byte[] body = switch (path) {
                case "/v1/processors/me/model/versions/1" -> SPEC.getBytes(StandardCharsets.UTF_8);
                case "/doc.txt" -> "hi".getBytes(StandardCharsets.UTF_8);
                case "/big.bin" -> new byte[600 * 1024];
                default -> null;
            };
            if (!path.startsWith("/v1/")) {
                fetched.add(path);
            }
            ex.getResponseHeaders().add("Content-Type", path.endsWith(".txt") ? "text/plain" : "application/json");
            ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    com.fasterxml.jackson.databind.JsonNode inputs(String... args) {
        RunCommand run = RunCommandTest.parsed(tmp, args);
        try (GatewayClient client = new GatewayClient(URI.create(base), "t")) {
            return run.complete(run.draft(), client, null).inputs();
        }
    }

    @Test
    void inMockModeAUrlInputIsFetchedAndSentAsADataUrl() {
        var in = inputs("--ref", "me/model@1", "-i", "doc=" + base + "/doc.txt", "-i", "n=2", "-i", "docs=[\"" + base + "/doc.txt\"]");
        assertEquals("data:text/plain;base64,aGk=", in.path("doc").asText(), in.toString());
        assertEquals("data:text/plain;base64,aGk=", in.path("docs").get(0).asText(), "a list of files, through $defs");
        assertEquals(2, in.path("n").asInt());
        assertEquals(List.of("/doc.txt", "/doc.txt"), fetched);
    }

    @Test
    void inRealModeTheUrlGoesAsItIs() {
        var in = inputs("--ref", "me/model@1", "--mode", "real", "-i", "doc=" + base + "/doc.txt");
        assertEquals(base + "/doc.txt", in.path("doc").asText());
        assertEquals(List.of(), fetched);
    }

    @Test
    void aMissingOrTooLargeUrlIsRefusedBeforeTheRunIsSubmitted() {
        CliError missing = assertThrows(CliError.class, () -> inputs("--ref", "me/model@1", "-i", "doc=" + base + "/gone.txt"));
        assertEquals("ERR_INPUT_FETCH_FAILED", missing.code());
        CliError big = assertThrows(CliError.class, () -> inputs("--ref", "me/model@1", "-i", "doc=" + base + "/big.bin"));
        assertEquals("ERR_INPUT_TOO_LARGE", big.code());
        assertTrue(big.getMessage().contains("A mock-mode run carries a URL input inline, at most 512 KiB"), big.getMessage());
    }
}
