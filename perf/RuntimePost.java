import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The warm baseline: sequential bare {@code POST /predictions} to a runtime's unix socket, the
 * least a warm run can cost (one HTTP/1.1 request per connection, as the executor's
 * RuntimeClient sends it). JDK only: {@code java perf/RuntimePost.java WARMUP N SOCKET BODY}.
 * Prints one line per measured request (milliseconds) on stdout.
 */
public class RuntimePost {
    public static void main(String[] args) throws Exception {
        int warmup = Integer.parseInt(args[0]);
        int runs = Integer.parseInt(args[1]);
        Path socket = Path.of(args[2]);
        byte[] body = args[3].getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < warmup + runs; i++) {
            long start = System.nanoTime();
            String answer = post(socket, body);
            if (!answer.startsWith("HTTP/1.") || !answer.contains(" 200 ") || !answer.contains("\"succeeded\"")) {
                throw new IllegalStateException("prediction failed: " + answer);
            }
            if (i >= warmup) {
                System.out.println((System.nanoTime() - start) / 1_000_000.0);
            }
        }
    }

    static String post(Path socket, byte[] body) throws Exception {
        try (var channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            String head = "POST /predictions HTTP/1.1\r\nHost: runtime\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
            var out = ByteBuffer.allocate(head.length() + body.length);
            out.put(head.getBytes(StandardCharsets.US_ASCII)).put(body).flip();
            while (out.hasRemaining()) {
                channel.write(out);
            }
            var answer = new ByteArrayOutputStream();
            var in = ByteBuffer.allocate(8192);
            while (channel.read(in) >= 0) {
                answer.write(in.array(), 0, in.position());
                in.clear();
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }
}
