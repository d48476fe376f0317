package dev.hangar.cli.cog;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The container has no network: this forwards a loopback TCP port of the host to the runtime's
 * unix socket in the mounted run folder, byte for byte, and answers a few paths itself
 * ({@code GET /docs}, {@code GET /openapi.json}) from what it is given.
 */
public final class Forwarder implements AutoCloseable {
    private static final int MAX_HEAD = 64 * 1024;

    /** A page served for a path: its media type and bytes. */
    public record Page(String type, byte[] body) {}

    private final ServerSocket server;
    private final Path socket;
    private final Map<String, Page> pages;
    private final Thread acceptor;

    private Forwarder(ServerSocket server, Path socket, Map<String, Page> pages) {
        this.server = server;
        this.socket = socket;
        this.pages = Map.copyOf(pages);
        this.acceptor = Thread.ofPlatform().daemon().name("hangar-serve").start(this::accept);
    }

    /** Listens on {@code host:port} ({@code port} 0: any free one); {@code host} must be a loopback address. */
    public static Forwarder open(InetAddress host, int port, Path socket, Map<String, Page> pages) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(host, port), 64);
        return new Forwarder(server, socket, pages);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread.ofVirtual().start(() -> handle(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void handle(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            byte[] head = readHead(in);
            String requestLine = new String(head, 0, Math.max(0, indexOf(head, (byte) '\r')), StandardCharsets.ISO_8859_1);
            String[] parts = requestLine.split(" ");
            if (parts.length >= 2 && (parts[0].equals("GET") || parts[0].equals("HEAD"))) {
                String path = parts[1].split("\\?", 2)[0];
                Page page = pages.get(path.toLowerCase(Locale.ROOT).equals("/docs/") ? "/docs" : path);
                if (page != null) {
                    answer(client.getOutputStream(), page, parts[0].equals("HEAD"));
                    return;
                }
            }
            try (SocketChannel upstream = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                OutputStream up = Channels.newOutputStream(upstream);
                up.write(head);
                up.flush();
                Thread toRuntime = Thread.ofVirtual().start(() -> {
                    try {
                        in.transferTo(up);
                        upstream.shutdownOutput();
                    } catch (IOException ignored) {
                        // either side went away
                    }
                });
                Channels.newInputStream(upstream).transferTo(client.getOutputStream());
                toRuntime.interrupt();
            }
        } catch (IOException ignored) {
            // the client or the runtime went away
        }
    }

    private static void answer(OutputStream out, Page page, boolean headOnly) throws IOException {
        String head = "HTTP/1.1 200 OK\r\nContent-Type: " + page.type() + "\r\nContent-Length: " + page.body().length
                + "\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        if (!headOnly) {
            out.write(page.body());
        }
        out.flush();
    }

    /** The bytes up to and including the blank line that ends the request head (or what came before EOF). */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (b.size() < MAX_HEAD) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) ? state + 1 : (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            if (state == 4) {
                break;
            }
        }
        return b.toByteArray();
    }

    private static int indexOf(byte[] bytes, byte value) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return bytes.length;
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
