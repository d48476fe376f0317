package dev.hangar.runtime.client;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Status line, headers and a body stream that knows where the body ends. */
final class HttpResponse {
    private static final int MAX_HEADER_LINE = 64 * 1024;
    private static final int MAX_HEADERS = 100;

    private final int status;
    private final Map<String, String> headers;
    private final InputStream body;

    private HttpResponse(int status, Map<String, String> headers, InputStream body) {
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    static HttpResponse read(InputStream in) throws IOException {
        String statusLine = readLine(in, StandardCharsets.ISO_8859_1, MAX_HEADER_LINE);
        if (statusLine == null) {
            throw new EOFException("the runtime closed the connection without answering");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP response: " + statusLine, e);
        }
        var headers = new HashMap<String, String>();
        int count = 0;
        for (String line; !(line = requireLine(in)).isEmpty(); ) {
            if (++count > MAX_HEADERS) {
                throw new ReplyTooLargeException("more than " + MAX_HEADERS + " header lines, a header block", MAX_HEADERS);
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
        }
        return new HttpResponse(status, headers, bodyOf(in, headers));
    }

    private static InputStream bodyOf(InputStream in, Map<String, String> headers) throws IOException {
        if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
            return new ChunkedInputStream(in);
        }
        String length = headers.get("content-length");
        if (length != null) {
            try {
                return new LimitedInputStream(in, Long.parseLong(length.trim()));
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length: " + length, e);
            }
        }
        return in; // neither: the body ends when the server closes (how an SSE stream ends)
    }

    int status() {
        return status;
    }

    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    boolean isEventStream() {
        String type = header("content-type");
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
    }

    InputStream body() {
        return body;
    }

    /** The whole body, or {@link ReplyTooLargeException} past {@code max} bytes (never more is read). */
    byte[] bodyBytes(int max) throws IOException {
        byte[] bytes = body.readNBytes(max);
        if (bytes.length == max && body.read() != -1) {
            throw new ReplyTooLargeException("a reply body", max);
        }
        return bytes;
    }

    private static String requireLine(InputStream in) throws IOException {
        String line = readLine(in, StandardCharsets.ISO_8859_1, MAX_HEADER_LINE);
        if (line == null) {
            throw new EOFException("the runtime closed the connection in the middle of the headers");
        }
        return line;
    }

    /** One line without its CRLF or LF; null at end of stream before any byte. */
    static String readLine(InputStream in, Charset charset, int max) throws IOException {
        var line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (line.size() >= max) {
                throw new ReplyTooLargeException("a line", max);
            }
            line.write(b);
        }
        if (b == -1 && line.size() == 0) {
            return null;
        }
        String text = line.toString(charset);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    /** A Content-Length body: stops at the length, and a short body is an error, not a truncation. */
    private static final class LimitedInputStream extends InputStream {
        private final InputStream in;
        private long left;

        LimitedInputStream(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("the runtime closed the connection " + left + " bytes before the end of the body");
            }
            left -= n;
            return n;
        }
    }
}
