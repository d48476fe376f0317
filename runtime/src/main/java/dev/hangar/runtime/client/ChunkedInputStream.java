package dev.hangar.runtime.client;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** A {@code Transfer-Encoding: chunked} body, decoded (uvicorn, behind Cog, answers this way). */
final class ChunkedInputStream extends InputStream {
    private static final int MAX_LINE = 8 * 1024;

    private final InputStream in;
    private long chunkLeft;
    private boolean finished;

    ChunkedInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (chunkLeft == 0 && !nextChunk()) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, chunkLeft));
        if (n < 0) {
            throw new EOFException("the runtime closed the connection inside a chunk");
        }
        chunkLeft -= n;
        if (chunkLeft == 0) {
            line(); // the CRLF after each chunk's data
        }
        return n;
    }

    private boolean nextChunk() throws IOException {
        if (finished) {
            return false;
        }
        String size = line();
        int semicolon = size.indexOf(';'); // chunk extensions are allowed and meaningless here
        try {
            chunkLeft = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
        } catch (NumberFormatException e) {
            throw new IOException("bad chunk size from the runtime: " + size, e);
        }
        if (chunkLeft == 0) {
            finished = true;
            for (int trailers = 0; !line().isEmpty(); trailers++) {
                if (trailers == 100) { // none expected; skipped, but not for ever
                    throw new ReplyTooLargeException("more than 100 trailer lines, a chunked body", 100);
                }
            }
            return false;
        }
        return true;
    }

    private String line() throws IOException {
        String line = HttpResponse.readLine(in, StandardCharsets.ISO_8859_1, MAX_LINE);
        if (line == null) {
            throw new EOFException("the runtime closed the connection inside a chunked body");
        }
        return line;
    }
}
