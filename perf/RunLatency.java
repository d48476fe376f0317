import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Submit → envelope latency through the whole stack: POST /v1/runs, follow the run's WebSocket
 * until the envelope frame. Sequential, one run at a time. JDK only, so it runs as
 * {@code java perf/RunLatency.java N BODY} without a build.
 * Prints one line per run (milliseconds) on stdout.
 */
public class RunLatency {
    private static final Pattern ID = Pattern.compile("\"execution_id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern STREAM = Pattern.compile("\"stream_url\"\\s*:\\s*\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(args[0]);
        String body = args[1];
        String gateway = args.length > 2 ? args[2] : "http://127.0.0.1:8080";
        String auth = "Bearer " + System.getenv().getOrDefault("HANGAR_TOKEN", "");
        var http = HttpClient.newHttpClient();
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            var answer = http.send(HttpRequest.newBuilder(URI.create(gateway + "/v1/runs"))
                    .header("Content-Type", "application/json").header("Authorization", auth)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 202) {
                throw new IllegalStateException("submission refused: " + answer.body());
            }
            var stream = STREAM.matcher(answer.body());
            stream.find();
            String envelope = awaitEnvelope(http, stream.group(1), auth);
            if (!envelope.contains("\"status\":\"success\"")) {
                throw new IllegalStateException("run failed: " + envelope);
            }
            System.out.println((System.nanoTime() - start) / 1_000_000.0);
        }
    }

    static String awaitEnvelope(HttpClient http, String url, String auth) throws Exception {
        var done = new CompletableFuture<String>();
        var listener = new WebSocket.Listener() {
            final StringBuilder frame = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                frame.append(data);
                if (last) {
                    String text = frame.toString();
                    frame.setLength(0);
                    if (text.startsWith("{\"status\"")) {
                        done.complete(text);
                    }
                }
                socket.request(1);
                return null;
            }

            @Override
            public void onError(WebSocket socket, Throwable error) {
                done.completeExceptionally(error);
            }
        };
        var socket = http.newWebSocketBuilder().header("Authorization", auth).buildAsync(URI.create(url), listener).get(10, TimeUnit.SECONDS);
        try {
            return done.get(120, TimeUnit.SECONDS);
        } finally {
            socket.abort();
        }
    }
}
