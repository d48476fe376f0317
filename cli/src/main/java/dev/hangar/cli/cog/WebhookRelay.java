package dev.hangar.cli.cog;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
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
public final class WebhookRelay extends SocketRelay {
    public static final String SOCKET = "webhook.sock";
    static final int MAX_BODY = 16 * 1024 * 1024;
    static final int MAX_URLS = 4096;
    private static final List<String> PASSED = List.of("content-type", "webhook-id", "webhook-timestamp", "webhook-signature");

    private final Set<String> allowed = ConcurrentHashMap.newKeySet();

    private WebhookRelay(Path folder, Duration timeout) throws IOException {
        super(folder, SOCKET, timeout);
    }

    /** Binds {@code folder/webhook.sock}, writable by the container's user. */
    public static WebhookRelay open(Path folder, Duration timeout) throws IOException {
        return new WebhookRelay(folder, timeout);
    }

    /** Lets deliveries to {@code url} through: a request to serve named it (an http(s) URL; others are ignored). */
    public void allow(String url) {
        if (url != null && url.matches("(?i)https?://\\S+") && allowed.size() < MAX_URLS) {
            allowed.add(url);
        }
    }

    @Override
    void handle(Forwarder.Head request, InputStream in, OutputStream out) throws IOException {
        long length = parseLength(request.value("content-length"));
        if (!request.first().startsWith("POST ") || length < 0 || length > MAX_BODY) {
            reply(out, 400, "the webhook relay takes POST / with X-Webhook-URL and a Content-Length of at most " + MAX_BODY);
            return;
        }
        byte[] body = in.readNBytes((int) length);
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
    }

    private static void reply(OutputStream out, int status, String text) throws IOException {
        SocketRelay.reply(out, status, "Relayed", null, text);
    }
}
