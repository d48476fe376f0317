package dev.hangar.cli.cog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.hangar.cli.error.CliError;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** URL inputs fetched for a container with no network, against a real HTTP server on 127.0.0.1, hostile cases included. */
class UrlFetcherTest {
    static final long LIMIT = 1024 * 1024;

    HttpServer server;
    String base;
    final List<String> requested = new CopyOnWriteArrayList<>();
    final AtomicLong hugeSent = new AtomicLong();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            requested.add(ex.getRequestURI().getPath());
            String path = ex.getRequestURI().getPath();
            switch (path) {
                case "/cat.png" -> {
                    ex.getResponseHeaders().add("Content-Type", "image/png");
                    byte[] body = {(byte) 0x89, 'P', 'N', 'G'};
                    ex.sendResponseHeaders(200, body.length);
                    ex.getResponseBody().write(body);
                }
                case "/moved" -> redirect(ex, "/cat.png");
                case "/away" -> redirect(ex, "http://10.255.0.1/cat.png");
                case "/loop" -> redirect(ex, "/loop");
                case "/declared-huge" -> {
                    ex.sendResponseHeaders(200, 10 * LIMIT);
                    try {
                        ex.getResponseBody().write(new byte[1024]);
                        ex.getResponseBody().flush();
                        Thread.sleep(3000); // the client refuses on the header alone, long before this
                    } catch (IOException | InterruptedException gone) {
                        // the client hung up
                    }
                }
                case "/endless" -> {
                    ex.sendResponseHeaders(200, 0); // chunked, no length: only the cut-off stops it
                    byte[] chunk = new byte[64 * 1024];
                    try (OutputStream out = ex.getResponseBody()) {
                        for (int i = 0; i < 10_000; i++) {
                            out.write(chunk);
                            hugeSent.addAndGet(chunk.length);
                        }
                    } catch (IOException cut) {
                        // the client stopped reading: what we want
                    }
                }
                case "/trickle" -> {
                    ex.sendResponseHeaders(200, 0);
                    try (OutputStream out = ex.getResponseBody()) {
                        for (int i = 0; i < 100; i++) {
                            out.write('x');
                            out.flush();
                            Thread.sleep(100);
                        }
                    } catch (IOException | InterruptedException cut) {
                        // closed by the client's deadline
                    }
                }
                default -> ex.sendResponseHeaders(404, -1);
            }
            ex.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static void redirect(com.sun.net.httpserver.HttpExchange ex, String to) throws IOException {
        ex.getResponseHeaders().add("Location", to);
        ex.sendResponseHeaders(302, -1);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    UrlFetcher fetcher() {
        return new UrlFetcher(new UrlFetcher.Limits(LIMIT, Duration.ofSeconds(2), 3));
    }

    CliError fails(String path) {
        return assertThrows(CliError.class, () -> fetcher().fetch("input image", base + path));
    }

    @Test
    void aUrlBecomesADataUrlWithItsMediaTypeAndARedirectOnTheSameHostIsFollowed() {
        var direct = fetcher().fetch("input image", base + "/cat.png");
        assertEquals("image/png", direct.mime());
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, direct.body());
        assertEquals("data:image/png;base64,iVBORw==", direct.dataUrl());
        assertArrayEquals(direct.body(), fetcher().fetch("input image", base + "/moved").body());
        assertEquals(List.of("/cat.png", "/moved", "/cat.png"), requested);
    }

    @Test
    void notFoundIsFetchFailedNamingTheUrlButNotItsQuery() {
        CliError e = fails("/missing.png?X-Amz-Signature=secret");
        assertEquals("ERR_INPUT_FETCH_FAILED", e.code());
        assertTrue(e.getMessage().contains("input image: cannot fetch " + base + "/missing.png: it answered HTTP 404 (not found)"),
                e.getMessage());
        assertTrue(!e.getMessage().contains("secret"), e.getMessage());
    }

    @Test
    void aRedirectToAnotherHostIsNotFollowedAndTheErrorNamesIt() {
        long started = System.nanoTime();
        CliError e = fails("/away");
        assertEquals("ERR_INPUT_FETCH_FAILED", e.code());
        assertTrue(e.getMessage().contains("redirects to http://10.255.0.1/cat.png, another host"), e.getMessage());
        // refused at once, not after a connect attempt to 10.255.0.1 timed out
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(1)) < 0);
        assertEquals(List.of("/away"), requested);
        assertTrue(!UrlFetcher.sameHost(URI.create("https://a.example/x"), URI.create("http://a.example/x")), "no https→http");
        assertTrue(UrlFetcher.sameHost(URI.create("http://a.example/x"), URI.create("https://a.example/y")));
    }

    @Test
    void aRedirectLoopStopsAtTheLimit() {
        CliError e = fails("/loop");
        assertEquals("ERR_INPUT_FETCH_FAILED", e.code());
        assertTrue(e.getMessage().contains("redirected more than 3 times"), e.getMessage());
        assertEquals(4, requested.size());
    }

    @Test
    void aBodyPastTheLimitIsCutOffThere() {
        CliError declared = fails("/declared-huge");
        assertEquals("ERR_INPUT_TOO_LARGE", declared.code());
        assertTrue(declared.getMessage().contains("larger than 1048576 bytes (10485760 bytes; HANGAR_FETCH_MAX_BYTES)"),
                declared.getMessage());

        CliError endless = fails("/endless");
        assertEquals("ERR_INPUT_TOO_LARGE", endless.code());
        assertTrue(endless.getMessage().contains("the download was cut off there"), endless.getMessage());
        assertTrue(hugeSent.get() < 100L * LIMIT, "the server was stopped long before its 640 MiB: " + hugeSent.get());
    }

    @Test
    void aBodyThatTricklesPastTheDeadlineIsATimeout() {
        long started = System.nanoTime();
        CliError e = fails("/trickle");
        assertEquals("ERR_INPUT_FETCH_TIMEOUT", e.code());
        assertTrue(e.getMessage().contains("did not arrive within 2 s"), e.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(5)) < 0);
    }

    @Test
    void nothingListeningIsFetchFailed() throws IOException {
        int port;
        try (var s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CliError e = assertThrows(CliError.class, () -> fetcher().fetch("input image", "http://127.0.0.1:" + port + "/x"));
        assertEquals("ERR_INPUT_FETCH_FAILED", e.code());
        assertTrue(e.getMessage().contains("could not be reached"), e.getMessage());
    }

    @Test
    void limitsComeFromTheEnvironmentAndABadValueIsNamed() {
        var limits = UrlFetcher.Limits.fromEnv(java.util.Map.of("HANGAR_FETCH_MAX_BYTES", "10", "HANGAR_FETCH_TIMEOUT_SECONDS", "3"));
        assertEquals(10, limits.maxBytes());
        assertEquals(Duration.ofSeconds(3), limits.timeout());
        assertEquals(UrlFetcher.Limits.DEFAULTS.maxRedirects(), limits.maxRedirects());
        CliError e = assertThrows(CliError.class, () -> UrlFetcher.Limits.fromEnv(java.util.Map.of("HANGAR_FETCH_MAX_BYTES", "lots")));
        assertEquals("ERR_OPTION_INVALID", e.code());
        assertTrue(e.getMessage().contains("HANGAR_FETCH_MAX_BYTES"), e.getMessage());
    }
}
