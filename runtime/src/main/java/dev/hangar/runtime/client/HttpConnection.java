package dev.hangar.runtime.client;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * One connection to the runtime, over a unix socket or TCP.
 *
 * <p>The channel is non-blocking and every wait goes through a selector with a deadline:
 * a blocking {@link SocketChannel} has no read timeout (and a unix-domain one has no
 * {@code Socket} adaptor to set one on), so without this a dead container could hang the
 * executor for ever. The timeout applies to each wait for bytes, not to the whole exchange,
 * so a long stream that keeps sending never times out.
 */
final class HttpConnection implements Closeable {
    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final long timeoutMillis;

    private HttpConnection(SocketChannel channel, Selector selector, long timeoutMillis) throws IOException {
        this.channel = channel;
        this.selector = selector;
        this.key = channel.register(selector, 0);
        this.timeoutMillis = timeoutMillis;
    }

    static HttpConnection open(SocketAddress address, Duration timeout) throws IOException {
        SocketChannel channel = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX)
                : SocketChannel.open();
        Selector selector = null;
        try {
            channel.configureBlocking(false);
            selector = Selector.open();
            var connection = new HttpConnection(channel, selector, Math.max(1, timeout.toMillis()));
            if (!channel.connect(address)) {
                connection.await(SelectionKey.OP_CONNECT, "connecting to " + describe(address));
                channel.finishConnect();
            }
            return connection;
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
    }

    void write(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            if (channel.write(buffer) == 0) {
                await(SelectionKey.OP_WRITE, "writing the request");
            }
        }
    }

    /** The response bytes; reads wait at most the timeout for each next byte. */
    InputStream input() {
        return new InputStream() {
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
                while (true) {
                    int n = channel.read(ByteBuffer.wrap(b, off, len));
                    if (n != 0) {
                        return n;
                    }
                    await(SelectionKey.OP_READ, "reading the response");
                }
            }
        };
    }

    private void await(int op, String what) throws IOException {
        key.interestOps(op);
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new SocketTimeoutException("no answer from the runtime after " + timeoutMillis + " ms while " + what);
                }
                if (selector.select(left) > 0) {
                    selector.selectedKeys().clear();
                    return;
                }
            }
        } finally {
            if (key.isValid()) {
                key.interestOps(0);
            }
        }
    }

    static String describe(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress unix) {
            return "unix:" + unix.getPath();
        }
        var inet = (InetSocketAddress) address;
        return "http://" + inet.getHostString() + ":" + inet.getPort();
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }
}
