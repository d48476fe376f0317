package dev.hangar.cli.cog;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code hangar serve}: a request's {@code webhook} cannot be reached from the container (network
 * {@code none}), so its runtime hands each delivery to this relay (a unix socket, {@value #SOCKET},
 * in the run folder; the runtime's {@code HANGAR_WEBHOOK_SOCKET}), {@code POST /} with the URL in
 * {@code X-Webhook-URL}, and the CLI POSTs it on unchanged (body and Standard Webhooks headers, signed
 * by the runtime), answering with the receiver's status so the runtime's retries work as over a
 * network. The container is not trusted with the host's network: only a URL a request to this
 * {@code serve} named as its {@code webhook} is relayed, anything else is 403 and nothing is sent.
 * No redirect is followed.
 */
public final class WebhookRelay implements AutoCloseable {
    public static final String SOCKET = "webhook.sock";
    static final int MAX_BODY = 16 * 1024 * 1024;
    static final int MAX_URLS = 4096;
    private static final List<String> PASSED = List.of("content-type", "webhook-id", "webhook-timestamp", "webhook-signature");

    private final Set<String> allowed = ConcurrentHashMap.newKeySet();
    private final Path path;
    private final ServerSocketChannel server;
    private final Duration timeout;
    private final HttpClient http;

    private WebhookRelay(Path path, ServerSocketChannel server, Duration timeout) {
        this.path = path;
        this.server = server;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout).build();
        Thread.ofVirtual().name("hangar-webhook-relay").start(this::accept);
    }

    /** Binds {@code folder/webhook.sock}, writable by the container's user. */
    public static WebhookRelay open(Path folder, Duration timeout) throws IOException {
        Path path = folder.resolve(SOCKET);
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxrwxrwx"));
        return new WebhookRelay(path, server, timeout);
    }

    /** Lets deliveries to {@code url} through: a request to serve named it (an http(s) URL; others are ignored). */
    public void allow(String url) {
        if (url != null && url.matches("(?i)https?://\\S+") && allowed.size() < MAX_URLS) {
            allowed.add(url);
        }
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                Thread.ofVirtual().start(() -> handle(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void handle(SocketChannel channel) {
        try (channel) {
            InputStream in = Channels.newInputStream(channel);
            OutputStream out = Channels.newOutputStream(channel);
            Forwarder.Head request = Forwarder.Head.parse(Forwarder.readHead(in));
            if (request == null) {
                return;
            }
            int length = parseLength(request.value("content-length"));
            if (!request.first().startsWith("POST ") || length < 0 || length > MAX_BODY) {
                reply(out, 400, "the webhook relay takes POST / with X-Webhook-URL and a Content-Length of at most " + MAX_BODY);
                return;
            }
            byte[] body = in.readNBytes(length);
            if (body.length != length) {
                return; // the runtime went away mid-body
            }
            String url = request.value("x-webhook-url");
            if (url == null || !allowed.contains(url)) {
                reply(out, 403, "not the webhook of a request to this serve; nothing was sent");
                return;
            }
            HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("User-Agent", "hangar-cli")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            for (String name : PASSED) {
                String value = request.value(name);
                if (value != null) {
                    post.header(name, value);
                }
            }
            int status;
            try {
                status = http.send(post.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (HttpTimeoutException e) {
                status = 504;
            } catch (IOException | IllegalArgumentException e) {
                status = 502;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            reply(out, status, "");
        } catch (IOException ignored) {
            // the runtime went away
        }
    }

    private static int parseLength(String value) {
        try {
            return value == null ? -1 : Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void reply(OutputStream out, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + " Relayed\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(path);
    }
}
