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
 * Submit → envelope latency through the whole stack, sequential, one run at a time, by one of two
 * paths: {@code socket} (the default) POSTs /v1/runs and, after the 202, follows the run's
 * WebSocket until the envelope frame; {@code wait} POSTs with {@code Prefer: wait} and takes the
 * envelope from the answer (201), following the socket only if the run outlived the wait (202).
 * JDK only, so it runs as {@code java perf/RunLatency.java N BODY [GATEWAY] [socket|wait]} without
 * a build. Prints one line per run (milliseconds) on stdout.
 */
public class RunLatency {
    private static final Pattern ID = Pattern.compile("\"execution_id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern STREAM = Pattern.compile("\"stream_url\"\\s*:\\s*\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(args[0]);
        String body = args[1];
        String gateway = args.length > 2 ? args[2] : "http://127.0.0.1:8080";
        boolean wait = args.length > 3 && args[3].equals("wait");
        if (args.length > 3 && !wait && !args[3].equals("socket")) {
            throw new IllegalArgumentException("the path is socket or wait, got " + args[3]);
        }
        String auth = "Bearer " + System.getenv().getOrDefault("HANGAR_TOKEN", "");
        var http = HttpClient.newHttpClient();
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            var post = HttpRequest.newBuilder(URI.create(gateway + "/v1/runs"))
                    .header("Content-Type", "application/json").header("Authorization", auth);
            if (wait) {
                post.header("Prefer", "wait=60");
            }
            var answer = http.send(post.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            String envelope;
            if (wait && answer.statusCode() == 201) {
                envelope = answer.body(); // the run as GET /v1/runs/{id} gives it: its envelope
            } else if (answer.statusCode() == 202) {
                var stream = STREAM.matcher(answer.body());
                stream.find();
                envelope = awaitEnvelope(http, stream.group(1), auth);
            } else {
                throw new IllegalStateException("submission refused (" + answer.statusCode() + "): " + answer.body());
            }
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
