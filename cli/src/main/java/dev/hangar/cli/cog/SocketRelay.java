package dev.hangar.cli.cog;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/**
 * What {@code hangar serve}'s relays share: a unix socket in the run folder that the container's
 * user (uid 10001) may connect to, one virtual thread per connection, one HTTP/1.1 request read per
 * connection and answered with {@code Connection: close}, and an HTTP client that follows no
 * redirect on its own. The container is not trusted: each relay decides what it sends on.
 */
abstract class SocketRelay implements AutoCloseable {
    private final Path path;
    private final ServerSocketChannel server;
    final Duration timeout;
    final HttpClient http;

    SocketRelay(Path folder, String socket, Duration timeout) throws IOException {
        this.path = folder.resolve(socket);
        Files.deleteIfExists(path);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxrwxrwx"));
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout).build();
        Thread.ofVirtual().name("hangar-" + socket).start(this::accept);
    }

    /** Answers one request whose head has been read; {@code in} is positioned at its body. */
    abstract void handle(Forwarder.Head request, InputStream in, OutputStream out) throws IOException;

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(SocketChannel channel) {
        try (channel) {
            InputStream in = Channels.newInputStream(channel);
            Forwarder.Head request = Forwarder.Head.parse(Forwarder.readHead(in));
            if (request != null) {
                handle(request, in, Channels.newOutputStream(channel));
            }
        } catch (IOException ignored) {
            // the runtime went away
        }
    }

    /** A Content-Length header's value, or -1 when it is missing or not a number. */
    static long parseLength(String value) {
        try {
            return value == null ? -1 : Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A plain-text answer; {@code location}, when not null, as its Location header. */
    static void reply(OutputStream out, int status, String reason, String location, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + body.length + (location == null ? "" : "\r\nLocation: " + location) + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(path);
    }
}
