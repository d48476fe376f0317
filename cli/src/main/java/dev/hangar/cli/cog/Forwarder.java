package dev.hangar.cli.cog;

import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.Json;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The container has no network: this forwards a loopback TCP port of the host to the runtime's
 * unix socket in the mounted run folder, one request per connection (each is marked
 * {@code Connection: close} both ways, so every request passes here), answers a few paths
 * itself ({@code /docs} and its assets, {@code /openapi.json}) and hands the JSON body of each
 * {@code POST}/{@code PUT} to {@code /predictions} or {@code /trainings} to a {@link Rewriter}
 * first (serve: URL inputs fetched here, since the container cannot).
 */
public final class Forwarder implements AutoCloseable {
    private static final int MAX_HEAD = 64 * 1024;
    private static final Pattern JOB_PATH = Pattern.compile("/(predictions|trainings)(/[^/?]+)?");

    /** A page served for a path: its media type and bytes. */
    public record Page(String type, byte[] body) {}

    /** Rewrites a job request's body on its way to the runtime; throws {@link CliError} to refuse it. */
    public interface Rewriter {
        /** The body to send instead, or null to send it unchanged; {@code kind} is predictions or trainings. */
        byte[] rewrite(String kind, byte[] body);
    }

    private final ServerSocket server;
    private final Path socket;
    private final Map<String, Page> pages;
    private final Rewriter rewriter;
    private final long maxBody;
    private final Thread acceptor;

    private Forwarder(ServerSocket server, Path socket, Map<String, Page> pages, Rewriter rewriter, long maxBody) {
        this.server = server;
        this.socket = socket;
        this.pages = Map.copyOf(pages);
        this.rewriter = rewriter;
        this.maxBody = maxBody;
        this.acceptor = Thread.ofPlatform().daemon().name("hangar-serve").start(this::accept);
    }

    /** Listens on {@code host:port} ({@code port} 0: any free one); {@code host} must be a loopback address. */
    public static Forwarder open(InetAddress host, int port, Path socket, Map<String, Page> pages) throws IOException {
        return open(host, port, socket, pages, null, 0);
    }

    /** As above, with job bodies (up to {@code maxBody} bytes) passed through {@code rewriter}. */
    public static Forwarder open(InetAddress host, int port, Path socket, Map<String, Page> pages, Rewriter rewriter,
                                 long maxBody) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(host, port), 64);
        return new Forwarder(server, socket, pages, rewriter, maxBody);
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

    /** One request: a page of ours, a job request rewritten first, or anything else byte for byte. */
    private void handle(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            Head request = Head.parse(readHead(in));
            if (request == null) {
                return;
            }
            String[] line = request.first().split(" ");
            String method = line[0];
            String path = line.length > 1 ? line[1].split("\\?", 2)[0] : "";
            Page page = pages.get(path.equals("/docs/") ? "/docs" : path);
            var job = JOB_PATH.matcher(path);
            if (page != null && (method.equals("GET") || method.equals("HEAD"))) {
                answer(out, 200, page.type(), page.body(), method.equals("HEAD"));
            } else if (rewriter != null && (method.equals("POST") || method.equals("PUT")) && job.matches()) {
                forwardRewritten(request, job.group(1), in, out);
            } else {
                forward(request, in, out);
            }
        } catch (IOException ignored) {
            // the client or the runtime went away
        }
    }

    /** The job request read whole, its body rewritten (or refused here), then sent on. */
    private void forwardRewritten(Head request, String kind, InputStream in, OutputStream out) throws IOException {
        byte[] body = body(request, in, out);
        if (body == null) {
            return;
        }
        byte[] sent;
        try {
            byte[] rewritten = rewriter.rewrite(kind, body);
            sent = rewritten == null ? body : rewritten;
        } catch (CliError e) {
            refuse(out, e);
            return;
        }
        try (SocketChannel upstream = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            OutputStream up = Channels.newOutputStream(upstream);
            up.write(request.without("content-length", "transfer-encoding", "expect", "connection")
                    .with("Content-Length: " + sent.length).with("Connection: close").bytes());
            up.write(sent);
            up.flush();
            relayResponse(upstream, out);
        }
    }

    /** Anything else, byte for byte (marked as the connection's only request). */
    private void forward(Head request, InputStream in, OutputStream out) throws IOException {
        try (SocketChannel upstream = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            OutputStream up = Channels.newOutputStream(upstream);
            up.write(request.without("connection").with("Connection: close").bytes());
            up.flush();
            Thread toRuntime = Thread.ofVirtual().start(() -> {
                try {
                    in.transferTo(up);
                    upstream.shutdownOutput();
                } catch (IOException ignored) {
                    // either side went away
                }
            });
            relayResponse(upstream, out);
            toRuntime.interrupt();
        }
    }

    /** The runtime's answer to the client as it comes (SSE included), marked as the connection's last. */
    private static void relayResponse(SocketChannel upstream, OutputStream out) throws IOException {
        InputStream down = Channels.newInputStream(upstream);
        Head response = Head.parse(readHead(down));
        if (response != null) {
            out.write(response.without("connection").with("Connection: close").bytes());
            down.transferTo(out);
        }
        out.flush();
    }

    /** The request's body by its Content-Length (after a 100 Continue if asked); null once refused. */
    private byte[] body(Head request, InputStream in, OutputStream out) throws IOException {
        if (request.value("transfer-encoding") != null) {
            answer(out, 411, "application/json", detail("send the body with a Content-Length (hangar serve reads job "
                    + "requests whole to fetch their URL inputs)", "ERR_BAD_REQUEST"), false);
            return null;
        }
        String length = request.value("content-length");
        long n;
        try {
            n = length == null ? 0 : Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || n > maxBody) {
            answer(out, 413, "application/json", detail("the request body must be 0 to " + maxBody + " bytes, got "
                    + length, "ERR_INPUT_TOO_LARGE"), false);
            return null;
        }
        if ("100-continue".equalsIgnoreCase(String.valueOf(request.value("expect")).strip())) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        byte[] body = in.readNBytes((int) n);
        return body.length == n ? body : null;
    }

    /** Refused before the runtime saw it: Cog's 422 {@code detail} shape, with Hangar's code beside it. */
    private static void refuse(OutputStream out, CliError e) throws IOException {
        int status;
        try {
            status = dev.hangar.contracts.ErrorCode.valueOf(e.code()).httpStatus();
        } catch (IllegalArgumentException unknown) {
            status = 422;
        }
        answer(out, status, "application/json", detail(e.getMessage(), e.code()), false);
    }

    private static byte[] detail(String message, String code) {
        return Json.write(Map.of("detail", List.of(Map.of("loc", List.of("body", "input"), "msg", message,
                "type", "value_error.url")), "code", code, "message", message)).getBytes(StandardCharsets.UTF_8);
    }

    private static void answer(OutputStream out, int status, String type, byte[] body, boolean headOnly) throws IOException {
        String head = "HTTP/1.1 " + status + " " + (status == 200 ? "OK" : "Error") + "\r\nContent-Type: " + type
                + "\r\nContent-Length: " + body.length + "\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        if (!headOnly) {
            out.write(body);
        }
        out.flush();
    }

    /** A request or response head: its first line and header lines, edited as text. */
    record Head(String first, List<String> headers) {
        static Head parse(byte[] raw) {
            String text = new String(raw, StandardCharsets.ISO_8859_1);
            if (!text.endsWith("\r\n\r\n")) {
                return null; // EOF or too long before the head ended
            }
            List<String> lines = new ArrayList<>(List.of(text.substring(0, text.length() - 4).split("\r\n")));
            return new Head(lines.removeFirst(), lines);
        }

        String value(String name) {
            for (String h : headers) {
                int colon = h.indexOf(':');
                if (colon > 0 && h.substring(0, colon).strip().equalsIgnoreCase(name)) {
                    return h.substring(colon + 1).strip();
                }
            }
            return null;
        }

        Head without(String... names) {
            List<String> kept = new ArrayList<>();
            for (String h : headers) {
                int colon = h.indexOf(':');
                String name = colon > 0 ? h.substring(0, colon).strip().toLowerCase(Locale.ROOT) : "";
                if (!List.of(names).contains(name)) {
                    kept.add(h);
                }
            }
            return new Head(first, kept);
        }

        Head with(String header) {
            List<String> all = new ArrayList<>(headers);
            all.add(header);
            return new Head(first, all);
        }

        byte[] bytes() {
            return (first + "\r\n" + String.join("\r\n", headers) + (headers.isEmpty() ? "" : "\r\n") + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    /** The bytes up to and including the blank line that ends the head (or what came before EOF). */
    static byte[] readHead(InputStream in) throws IOException {
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

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
