package dev.hangar.executor.docker;

import dev.hangar.contracts.ProcessorSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The only way out of a real-mode container: an HTTP proxy (CONNECT, and plain {@code http://}
 * forwarding) on a unix socket in the run folder, which the runtime inside forwards
 * {@code 127.0.0.1:<port>} to. The container itself has network {@code none}, so nothing else
 * leaves it; no Docker network or bridge is involved.
 *
 * <p>It connects only to the exact {@code host:port} pairs of the spec's {@code network.allow},
 * resolving names itself; a name that resolves to a loopback, link-local, wildcard or multicast
 * address is refused (the platform's own components listen on loopback; write the IP literal to
 * allow one). Anything else is answered 403 and reported through {@code refused} as a run log
 * line (the first {@value #MAX_REPORTED} of them).
 */
final class EgressProxy implements AutoCloseable {
    static final String SOCKET = "egress.sock";
    static final int MAX_REPORTED = 20;
    private static final Logger LOG = Logger.getLogger(EgressProxy.class);
    private static final int MAX_HEAD = 16 * 1024;
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private static final Set<String> HOP_HEADERS = Set.of("connection", "proxy-connection", "proxy-authorization",
            "keep-alive");

    private final Path path;
    private final ServerSocketChannel server;
    private final ProcessorSpec.Network allow;
    private final Consumer<String> refused;
    private final Semaphore slots;
    private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger reported = new AtomicInteger();
    private volatile boolean closed;

    private EgressProxy(Path path, ServerSocketChannel server, ProcessorSpec.Network allow, Consumer<String> refused,
                        int maxConnections) {
        this.path = path;
        this.server = server;
        this.allow = allow;
        this.refused = refused;
        this.slots = new Semaphore(maxConnections);
    }

    /** Binds the proxy's socket in {@code folder} and starts accepting. */
    static EgressProxy open(Path folder, ProcessorSpec.Network allow, Consumer<String> refused, int maxConnections)
            throws IOException {
        Path path = folder.resolve(SOCKET);
        Files.deleteIfExists(path);
        var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path));
        var proxy = new EgressProxy(path, server, allow, refused, maxConnections);
        Thread.ofVirtual().name("egress-" + folder.getFileName()).start(proxy::acceptLoop);
        return proxy;
    }

    Path path() {
        return path;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel client = server.accept();
                if (!slots.tryAcquire()) {
                    try (client) {
                        answer(outputOf(client), 503, "too many connections through the egress proxy");
                    }
                    continue;
                }
                open.add(client);
                Thread.ofVirtual().start(() -> {
                    try {
                        handle(client);
                    } finally {
                        open.remove(client);
                        closeQuietly(client);
                        slots.release();
                    }
                });
            } catch (IOException e) {
                if (!closed) {
                    LOG.debugf("egress proxy %s stopped accepting: %s", path, e.getMessage());
                }
                return;
            }
        }
    }

    private void handle(SocketChannel client) {
        InputStream in = inputOf(client);
        OutputStream out = outputOf(client);
        try {
            byte[] head = readHead(in);
            if (head == null) {
                answer(out, 400, "no complete HTTP request head (at most " + MAX_HEAD + " bytes)");
                return;
            }
            var request = Request.parse(new String(head, StandardCharsets.ISO_8859_1));
            if (request == null) {
                answer(out, 400, "not a proxy request: use CONNECT host:port or an absolute http:// URL");
                return;
            }
            String target = request.host() + ":" + request.port();
            if (!allow.allows(request.host(), request.port())) {
                refuse(out, request, target + " is not in this processor's network.allow");
                return;
            }
            InetAddress address = resolve(request.host());
            if (address == null) {
                refuse(out, request, target + " does not resolve to an address the proxy may reach (names may not"
                        + " resolve to loopback or link-local addresses; allow the IP itself)");
                return;
            }
            Socket upstream = new Socket();
            open.add(upstream);
            try (upstream) {
                try {
                    upstream.connect(new InetSocketAddress(address, request.port()), CONNECT_TIMEOUT_MS);
                } catch (IOException e) {
                    answer(out, 502, "cannot connect to " + target + ": " + e.getMessage());
                    return;
                }
                if (request.connect()) {
                    out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } else {
                    upstream.getOutputStream().write(request.originForm().getBytes(StandardCharsets.ISO_8859_1));
                }
                pipe(in, client, upstream);
            } finally {
                open.remove(upstream);
            }
        } catch (IOException e) {
            LOG.debugf("egress connection ended: %s", e.getMessage());
        }
    }

    /** Copies both ways until both sides are done; each end of input half-closes the other side. */
    private static void pipe(InputStream fromClient, SocketChannel client, Socket upstream) throws IOException {
        Thread down = Thread.ofVirtual().start(() -> {
            try {
                upstream.getInputStream().transferTo(outputOf(client));
            } catch (IOException ignored) {
                // either side went away
            } finally {
                try {
                    client.shutdownOutput();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        });
        try {
            fromClient.transferTo(upstream.getOutputStream());
            upstream.shutdownOutput();
        } catch (IOException ignored) {
            // either side went away
        }
        try {
            down.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The address to connect to: an allowed literal as it is; a name's first address that is not local. */
    private static InetAddress resolve(String host) {
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        boolean literal = ProcessorSpec.Network.Endpoint.parse(host + ":1").literal();
        try {
            List<InetAddress> addresses = Arrays.asList(InetAddress.getAllByName(bare));
            return addresses.stream()
                    .filter(a -> literal || !(a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                            || a.isMulticastAddress()))
                    .findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private void refuse(OutputStream out, Request request, String why) throws IOException {
        int n = reported.incrementAndGet();
        if (n <= MAX_REPORTED) {
            refused.accept("hangar-egress: refused " + request.method() + " " + request.host() + ":" + request.port()
                    + ": " + why + (n == MAX_REPORTED ? " (further refusals are not reported)" : ""));
        }
        answer(out, 403, why);
    }

    private static void answer(OutputStream out, int status, String why) throws IOException {
        byte[] body = ("hangar egress proxy: " + why + "\n").getBytes(StandardCharsets.UTF_8);
        String reason = switch (status) {
            case 403 -> "Forbidden";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Bad Request";
        };
        out.write(("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    /** The request head up to and including the blank line, read byte by byte so nothing after it is consumed. */
    private static byte[] readHead(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream(512);
        int last = 0; // the last four bytes read, one per octet
        int b;
        while (head.size() < MAX_HEAD && (b = in.read()) != -1) {
            head.write(b);
            last = last << 8 | b;
            if (last == 0x0d0a0d0a || (last & 0xffff) == 0x0a0a) {
                return head.toByteArray();
            }
        }
        return null;
    }

    /** A parsed proxy request: CONNECT host:port, or an absolute-form http:// request with its headers. */
    record Request(String method, boolean connect, String host, int port, String originForm) {
        static Request parse(String head) {
            String[] lines = head.split("\r?\n");
            String[] start = lines[0].split(" ");
            if (start.length != 3 || !start[2].startsWith("HTTP/1.")) {
                return null;
            }
            String method = start[0].toUpperCase(Locale.ROOT);
            if (method.equals("CONNECT")) {
                var endpoint = ProcessorSpec.Network.Endpoint.parse(start[1]);
                return endpoint == null ? null : new Request(method, true, endpoint.host(), endpoint.port(), null);
            }
            URI uri;
            try {
                uri = new URI(start[1]);
            } catch (java.net.URISyntaxException e) {
                return null;
            }
            if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getRawUserInfo() != null) {
                return null;
            }
            int port = uri.getPort() < 0 ? 80 : uri.getPort();
            String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            var origin = new StringBuilder(method).append(' ').append(path).append(' ').append(start[2]).append("\r\n");
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0 && !HOP_HEADERS.contains(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT))) {
                    origin.append(lines[i]).append("\r\n");
                }
            }
            origin.append("Connection: close\r\n\r\n");
            return new Request(method, false, uri.getHost().toLowerCase(Locale.ROOT), port, origin.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        open.forEach(EgressProxy::closeQuietly);
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the run folder goes anyway
        }
    }

    /**
     * Streams straight on the channel: {@code Channels.newInputStream/newOutputStream} lock the
     * channel's blocking lock, so one thread reading would stall the other one writing.
     */
    private static InputStream inputOf(SocketChannel channel) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return len == 0 ? 0 : channel.read(ByteBuffer.wrap(b, off, len));
            }
        };
    }

    private static OutputStream outputOf(SocketChannel channel) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                var buffer = ByteBuffer.wrap(b, off, len);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        };
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing
        }
    }
}
