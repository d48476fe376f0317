package dev.hangar.cli.cog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's side of {@code serve --upload-url}, spoken to over its unix socket as the runtime (or a
 * hostile model in the container) would, uploading to a real HTTP server on 127.0.0.1.
 */
class UploadRelayTest {
    @TempDir
    Path folder;
    HttpServer web;
    String webBase;
    UploadRelay relay;
    final Map<String, String> stored = new ConcurrentHashMap<>();
    final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        web = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        web.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        web.createContext("/", ex -> {
            String path = ex.getRequestURI().getRawPath();
            seen.add(ex.getRequestMethod() + " " + path);
            byte[] body = ex.getRequestBody().readAllBytes();
            if (path.startsWith("/bucket/moved")) {
                ex.getResponseHeaders().add("Location", "/real/" + path.substring("/bucket/".length()));
                ex.sendResponseHeaders(307, -1);
            } else if (path.startsWith("/bucket/forbidden")) {
                ex.sendResponseHeaders(403, -1);
            } else {
                stored.put(path + "?" + ex.getRequestURI().getRawQuery() + " " + ex.getRequestHeaders().getFirst("Content-Type") + " "
                        + ex.getRequestHeaders().getFirst("X-Prediction-ID"), new String(body, StandardCharsets.UTF_8));
                ex.sendResponseHeaders(200, -1);
            }
            ex.close();
        });
        web.start();
        webBase = "http://127.0.0.1:" + web.getAddress().getPort();
        relay = UploadRelay.open(folder, webBase + "/bucket?X-Signature=secret", Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws IOException {
        relay.close();
        web.stop(0);
    }

    /** One raw exchange over the relay's socket: the status line and the Location header (or the body). */
    String[] put(String path, String body) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(folder.resolve(UploadRelay.SOCKET)))) {
            OutputStream out = Channels.newOutputStream(ch);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("PUT " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nX-Prediction-ID: p1\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
            InputStream in = Channels.newInputStream(ch);
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String status = response.lines().findFirst().orElse("");
            String location = response.lines().filter(l -> l.startsWith("Location: ")).map(l -> l.substring(10)).findFirst()
                    .orElse(null);
            return new String[] {status, location, response.substring(response.indexOf("\r\n\r\n") + 4)};
        }
    }

    @Test
    void aFileIsPutBelowTheUploadUrlAndItsUrlWithoutTheQueryComesBack() throws IOException {
        assertTrue(Files.getPosixFilePermissions(folder.resolve(UploadRelay.SOCKET)).size() == 9, "uid 10001 may connect");
        String[] r = put("/out%20put.txt", "hello");
        assertEquals("HTTP/1.1 201 Created", r[0], r[2]);
        assertEquals(webBase + "/bucket/out%20put.txt", r[1]);
        assertEquals(Map.of("/bucket/out%20put.txt?X-Signature=secret text/plain p1", "hello"), stored, "the signed query is kept");
    }

    @Test
    void aRedirectOnTheSameHostIsFollowedOnce() throws IOException {
        String[] r = put("/moved.txt", "again");
        assertEquals("HTTP/1.1 201 Created", r[0], r[2]);
        assertEquals(webBase + "/real/moved.txt", r[1]);
        assertEquals("again", stored.get("/real/moved.txt?null text/plain p1"));
    }

    @Test
    void aRefusalComesBackAsTheErrorText() throws IOException {
        String[] r = put("/forbidden.txt", "no");
        assertEquals("HTTP/1.1 502 Error", r[0]);
        assertEquals("ERR_UPLOAD_FAILED: " + webBase + "/bucket/forbidden.txt answered HTTP 403 to the upload", r[2]);
        assertNull(r[1]);
    }

    @Test
    void aNameThatWouldLeaveTheUploadFolderIsRefusedAndNothingIsSent() throws IOException {
        for (String hostile : List.of("/..", "/%2E%2E", "/..%2Fescape.txt", "/a%2fb", "/a%5Cb", "/", "/a/b", "/%zz", "/x%00")) {
            assertEquals("HTTP/1.1 400 Error", put(hostile, "evil")[0], hostile);
        }
        assertEquals(List.of(), seen, "the upload server saw none of them");
        assertEquals(null, UploadRelay.fileName(".."));
        assertEquals("a+b c.txt", UploadRelay.fileName("a+b%20c.txt"));
    }
}
