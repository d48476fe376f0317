package dev.hangar.executor.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Hands a real-mode run's secrets to the runtime without putting them in the container's
 * environment (which {@code docker inspect} shows to anyone with the engine): a unix socket in
 * the run folder that answers exactly one connection with the secrets as a JSON object, then
 * disappears. The runtime connects once, before it loads any processor code, and sets the values
 * as environment variables of its own process only. Nothing is written to disk.
 */
final class SecretsHandoff implements AutoCloseable {
    static final String SOCKET = "secrets.sock";
    private static final Logger LOG = Logger.getLogger(SecretsHandoff.class);

    private final Path path;
    private final ServerSocketChannel server;

    private SecretsHandoff(Path path, ServerSocketChannel server) {
        this.path = path;
        this.server = server;
    }

    /** Binds the socket in {@code folder} and serves {@code secrets} to the first connection. */
    static SecretsHandoff open(Path folder, Map<String, String> secrets) throws IOException {
        byte[] body = new ObjectMapper().writeValueAsBytes(secrets);
        Path path = folder.resolve(SOCKET);
        Files.deleteIfExists(path);
        var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path));
        var handoff = new SecretsHandoff(path, server);
        Thread.ofVirtual().name("secrets-" + folder.getFileName()).start(() -> handoff.serveOnce(body));
        return handoff;
    }

    Path path() {
        return path;
    }

    private void serveOnce(byte[] body) {
        try (SocketChannel client = server.accept()) {
            var buffer = ByteBuffer.wrap(body);
            while (buffer.hasRemaining()) {
                client.write(buffer);
            }
        } catch (IOException e) {
            LOG.debugf("secrets hand-off at %s ended: %s", path, e.getMessage());
        } finally {
            close(); // one connection only: whoever comes later finds nothing
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.debugf("closing %s: %s", path, e.getMessage());
        }
    }
}
