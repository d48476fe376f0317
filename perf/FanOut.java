import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * WebSocket fan-out: SUBS subscribers on one run's stream, then SUBS on the all-runs stream,
 * each group receiving the events of a perf/tokens run (COUNT tokens INTERVAL_MS apart), against
 * a bare Vert.x broadcast server in this JVM that sends the frames the run's subscribers received
 * (same sizes, same count, same spacing) to as many Vert.x clients, twice: closing each socket
 * after the envelope, as a run's stream does (the baseline of the run's stream: 1,000 closes on
 * the same cores make its terminal event late even here), and keeping them open, as the all-runs
 * stream does. The clients are the same code for both, so the ratio is the gateway's.
 *
 * <pre>java -cp $(perf/classpath.sh) perf/FanOut.java SUBS COUNT INTERVAL_MS DELAY_MS
 * java -cp $(perf/classpath.sh) perf/FanOut.java bare SUBS COUNT INTERVAL_MS   (the baseline alone, synthetic frames)</pre>
 *
 * Delivery latency = receipt − the event's {@code created_at} (stamped by the executor; by the
 * broadcaster in the baseline). Spread = receipt − the first subscriber's receipt of that event,
 * the fan-out alone. A subscriber is dropped if it did not get every event of the run (the union
 * of what all subscribers got) and, on a run's stream, the envelope. Events older than a
 * subscriber's connection (replayed) count for drops, not for latency.
 * Env: HANGAR_TOKEN, HANGAR_GATEWAY (http://127.0.0.1:8080). One {@code key=value} line per case.
 */
public class FanOut {
    static final String GATEWAY = System.getenv().getOrDefault("HANGAR_GATEWAY", "http://127.0.0.1:8080");
    static final String TOKEN = System.getenv().getOrDefault("HANGAR_TOKEN", "");
    static final Pattern CREATED = Pattern.compile("\"created_at\":\"([^\"]+)\"");
    static final Pattern ID = Pattern.compile("\"execution_id\"\\s*:\\s*\"([^\"]+)\"");
    /** The executor's created_at form (nanoseconds), so the baseline's frames have the same size. */
    static final DateTimeFormatter NANOS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);
    /** The baseline keeps the run's spacing of events but not its waits (the run's delay, a container start). */
    static final long MAX_GAP_MICROS = 200_000;

    public static void main(String[] args) throws Exception {
        if (args[0].equals("bare")) { // the baseline alone, on synthetic frames: java ... FanOut.java bare SUBS COUNT INTERVAL_MS
            var vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
            int subs = Integer.parseInt(args[1]);
            var client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(subs + 10).setConnectTimeout(30_000));
            bare(client, subs, synthetic(Integer.parseInt(args[2]), Integer.parseInt(args[3])), "bare-vertx", true, false);
            client.close();
            vertx.close();
            return;
        }
        int subs = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        int interval = Integer.parseInt(args[2]);
        int delay = Integer.parseInt(args[3]);
        var vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        var client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(subs * 2 + 10).setConnectTimeout(30_000));
        try {
            // JIT warm-up of the client code against the bare server, not reported
            bare(client, Math.min(subs, 50), synthetic(50, 10), "warm-up", false, true);
            var frames = hangarRun(client, subs, count, interval, delay);
            hangarAll(client, subs, count, interval);
            bare(client, subs, frames, "bare-vertx-closing", true, true);
            bare(client, subs, frames, "bare-vertx", true, false);
        } finally {
            client.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** One socket's record: what it got, when, and whether its stream ended. */
    static final class Subscriber {
        /** Only frames naming this run count (the all-runs stream carries others); null: every frame. */
        final AtomicReference<String> onlyRun;
        final boolean expectEnvelope;
        long connectedMicros;
        final List<long[]> got = new ArrayList<>(); // {seq, created micros, received micros}
        final List<String> frames = new ArrayList<>();
        boolean record;
        volatile boolean ended;
        volatile boolean terminal;
        final CountDownLatch done;

        Subscriber(AtomicReference<String> onlyRun, boolean expectEnvelope, CountDownLatch done) {
            this.onlyRun = onlyRun;
            this.expectEnvelope = expectEnvelope;
            this.done = done;
        }

        synchronized void onText(String text) {
            long now = nowMicros();
            if (ended) {
                return;
            }
            if (text.startsWith("{\"status\"")) {
                if (record) {
                    frames.add(text);
                }
                end();
                return;
            }
            String run = onlyRun == null ? null : onlyRun.get();
            if (onlyRun != null && (run == null || !text.contains(run))) {
                return;
            }
            long seq = number(text, "\"seq\":");
            int created = text.indexOf("\"created_at\":\"");
            if (seq < 0 || created < 0) {
                return; // a problem frame: the stream ends without its events
            }
            got.add(new long[] {seq, parseMicros(text, created + 14), now});
            if (record) {
                frames.add(text);
            }
            if (text.contains("\"type\":\"completed\"") || text.contains("\"type\":\"failed\"") || text.contains("\"type\":\"canceled\"")) {
                terminal = true;
                if (!expectEnvelope) {
                    end();
                }
            }
        }

        synchronized void end() {
            if (!ended) {
                ended = true;
                done.countDown();
            }
        }
    }

    /** SUBS sockets on one run's stream, joined while the run waits DELAY_MS before its first token. */
    static List<String> hangarRun(WebSocketClient client, int subs, int count, int interval, int delay) throws Exception {
        var done = new CountDownLatch(subs);
        var subscribers = new ArrayList<Subscriber>();
        for (int i = 0; i < subs; i++) {
            var s = new Subscriber(null, true, done);
            s.record = i == 0;
            subscribers.add(s);
        }
        long submitted = System.nanoTime();
        String id = submit(count, interval, delay);
        double connect = connectAll(client, "/v1/runs/" + id + "/stream", subscribers, true);
        double joined = (System.nanoTime() - submitted) / 1e9;
        done.await(delay + (long) count * interval + 60_000, TimeUnit.MILLISECONDS);
        report("hangar-run", subscribers, expected(subscribers), connect, String.format(" joined_s=%.2f delay_s=%.1f", joined, delay / 1000.0));
        String dump = System.getenv("FANOUT_FRAMES");
        if (dump != null) {
            java.nio.file.Files.write(java.nio.file.Path.of(dump), subscribers.getFirst().frames);
        }
        return subscribers.getFirst().frames;
    }

    /** SUBS sockets on the all-runs stream, joined before the run is submitted. */
    static void hangarAll(WebSocketClient client, int subs, int count, int interval) throws Exception {
        var done = new CountDownLatch(subs);
        var id = new AtomicReference<String>();
        var subscribers = new ArrayList<Subscriber>();
        for (int i = 0; i < subs; i++) {
            subscribers.add(new Subscriber(id, false, done));
        }
        double connect = connectAll(client, "/v1/runs/stream", subscribers, true);
        // no event of a run is published before its submission is answered, so none is missed here
        id.set(submit(count, interval, 0));
        done.await((long) count * interval + 60_000, TimeUnit.MILLISECONDS);
        report("hangar-all", subscribers, expected(subscribers), connect, "");
    }

    /** The baseline: a Vert.x server broadcasting FRAMES to SUBS clients at the spacing of their created_at; CLOSE: each socket after the envelope. */
    static void bare(WebSocketClient client, int subs, List<String> frames, String label, boolean print, boolean close) throws Exception {
        var vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        try {
            var sockets = new CopyOnWriteArrayList<ServerWebSocket>();
            HttpServer server = vertx.createHttpServer().webSocketHandler(sockets::add).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            var done = new CountDownLatch(subs);
            var subscribers = new ArrayList<Subscriber>();
            for (int i = 0; i < subs; i++) {
                subscribers.add(new Subscriber(null, true, done));
            }
            double connect = connectAll(client, "ws://127.0.0.1:" + server.actualPort() + "/", subscribers, false);
            while (sockets.size() < subs) {
                Thread.sleep(5);
            }
            long previous = -1;
            long schedule = 0;
            long start = System.nanoTime();
            for (String frame : frames) {
                Matcher created = CREATED.matcher(frame);
                String text = frame;
                if (created.find()) {
                    long at = micros(Instant.parse(created.group(1)));
                    schedule += previous < 0 ? 0 : Math.min(at - previous, MAX_GAP_MICROS);
                    previous = at;
                    long wait = start + schedule * 1000 - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    text = frame.substring(0, created.start(1)) + NANOS.format(Instant.now()) + frame.substring(created.end(1));
                }
                boolean envelope = text.startsWith("{\"status\"");
                for (ServerWebSocket socket : sockets) {
                    socket.writeTextMessage(text);
                    if (close && envelope) {
                        socket.close();
                    }
                }
            }
            done.await(60, TimeUnit.SECONDS);
            if (print) {
                report(label, subscribers, expected(subscribers), connect, "");
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** Frames like a token run's (N tokens INTERVAL_MS apart, then completed and the envelope), for the warm-up. */
    static List<String> synthetic(int n, int interval) {
        var frames = new ArrayList<String>();
        for (int i = 1; i <= n + 1; i++) {
            String event = i <= n ? "{\"type\":\"token\",\"text\":\" token-" + i + "\"}" : "{\"type\":\"completed\"}";
            frames.add("{\"schema_version\":1,\"execution_id\":\"r-synthetic\",\"attempt\":1,\"seq\":" + i + ",\"created_at\":\""
                    + NANOS.format(Instant.ofEpochMilli((long) i * interval)) + "\",\"event\":" + event + "}");
        }
        frames.add("{\"status\":\"success\"}");
        return frames;
    }

    /** Opens every socket at once; returns the seconds until the last one is open. */
    static double connectAll(WebSocketClient client, String target, List<Subscriber> subscribers, boolean auth) throws Exception {
        URI uri = target.startsWith("ws") ? URI.create(target) : URI.create(GATEWAY.replaceFirst("^http", "ws") + target);
        var open = new CountDownLatch(subscribers.size());
        var failed = new AtomicInteger();
        long start = System.nanoTime();
        for (var s : subscribers) {
            var options = new WebSocketConnectOptions().setHost(uri.getHost()).setPort(uri.getPort()).setURI(uri.getRawPath());
            if (auth) {
                options.addHeader("Authorization", "Bearer " + TOKEN);
            }
            client.connect(options).onComplete(result -> {
                if (result.succeeded()) {
                    WebSocket socket = result.result();
                    s.connectedMicros = nowMicros();
                    socket.textMessageHandler(s::onText);
                    socket.closeHandler(v -> s.end());
                } else {
                    if (failed.getAndIncrement() == 0) {
                        System.err.println("connect failed: " + result.cause());
                    }
                    s.end();
                }
                open.countDown();
            });
        }
        if (!open.await(120, TimeUnit.SECONDS)) {
            System.err.println("not every socket opened within 120 s");
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** The events a complete subscriber has: every one any subscriber got. */
    static java.util.Set<Long> expected(List<Subscriber> subscribers) {
        var expected = new java.util.TreeSet<Long>();
        subscribers.forEach(s -> s.got.forEach(g -> expected.add(g[0])));
        return expected;
    }

    static void report(String label, List<Subscriber> subscribers, java.util.Set<Long> expected, double connect, String extra) {
        Map<Long, Long> firstReceipt = new HashMap<>();
        for (var s : subscribers) {
            for (long[] g : s.got) {
                firstReceipt.merge(g[0], g[2], Math::min);
            }
        }
        var latency = new ArrayList<Long>();
        var spread = new ArrayList<Long>();
        Map<Long, List<Long>> bySeq = new HashMap<>();
        int dropped = 0;
        int replayed = 0;
        for (var s : subscribers) {
            long distinct = s.got.stream().mapToLong(g -> g[0]).distinct().count();
            boolean complete = distinct == expected.size() && s.terminal && (!s.expectEnvelope || s.ended);
            if (!complete) {
                dropped++;
            }
            for (long[] g : s.got) {
                if (g[1] < s.connectedMicros) {
                    replayed++;
                    continue;
                }
                latency.add(g[2] - g[1]);
                spread.add(g[2] - firstReceipt.get(g[0]));
                bySeq.computeIfAbsent(g[0], k -> new ArrayList<>()).add(g[2] - g[1]);
            }
        }
        // one late event is late for every socket: 1,000 of 52,000 samples, enough to be the p99 alone. Only
        // events most sockets got live count (a run's first events reach few sockets live, the rest replay them).
        var worst = bySeq.entrySet().stream().filter(e -> e.getValue().size() * 2 >= subscribers.size())
                .max(java.util.Comparator.comparingLong(e -> percentile(e.getValue(), 50)));
        String slowest = worst.map(e -> e.getKey() + ":" + p50p99(e.getValue())).orElse("-");
        String terminal = bySeq.keySet().stream().max(Long::compare).map(last -> p50p99(bySeq.get(last))).orElse("-");
        System.out.printf("case=%s subs=%d events=%d p50=%s p99=%s spread_p50=%s spread_p99=%s dropped=%d replayed=%d connect_s=%.2f slowest=%s terminal=%s%s%n",
                label, subscribers.size(), expected.size(), ms(latency, 50), ms(latency, 99), ms(spread, 50), ms(spread, 99),
                dropped, replayed, connect, slowest, terminal, extra);
    }

    /** The p-th percentile of MICROS (nearest rank); MICROS not empty. */
    static long percentile(List<Long> micros, int p) {
        long[] sorted = micros.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted[Math.max(1, (int) Math.ceil(sorted.length * p / 100.0)) - 1];
    }

    static String ms(List<Long> micros, int p) {
        return micros.isEmpty() ? "-" : String.format("%.1f", percentile(micros, p) / 1000.0);
    }

    static String p50p99(List<Long> micros) {
        return ms(micros, 50) + "/" + ms(micros, 99);
    }

    static String submit(int count, int interval, int delay) throws Exception {
        String body = "{\"ref\":\"perf/tokens@1\",\"mode\":\"mock\",\"inputs\":{\"count\":" + count + ",\"interval_ms\":" + interval
                + ",\"delay_ms\":" + delay + "}}";
        var answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(GATEWAY + "/v1/runs"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 202) {
            throw new IllegalStateException("submission refused: " + answer.statusCode() + " " + answer.body());
        }
        Matcher id = ID.matcher(answer.body());
        id.find();
        return id.group(1);
    }

    /** The digits after KEY in TEXT, or -1. Cheap on purpose: it runs for every frame of every socket. */
    static long number(String text, String key) {
        int at = text.indexOf(key);
        if (at < 0) {
            return -1;
        }
        long value = 0;
        for (int i = at + key.length(); i < text.length() && Character.isDigit(text.charAt(i)); i++) {
            value = value * 10 + (text.charAt(i) - '0');
        }
        return value;
    }

    private static final Map<String, Long> DAYS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Epoch microseconds of the ISO instant {@code yyyy-MM-ddTHH:mm:ss[.f…]Z} at FROM in TEXT, without a full parse. */
    static long parseMicros(String text, int from) {
        long day = DAYS.computeIfAbsent(text.substring(from, from + 10), d -> java.time.LocalDate.parse(d).toEpochDay());
        int h = two(text, from + 11), m = two(text, from + 14), s = two(text, from + 17);
        long fraction = 0;
        int digits = 0;
        for (int i = from + 20; text.charAt(from + 19) == '.' && Character.isDigit(text.charAt(i)); i++, digits++) {
            if (digits < 6) {
                fraction = fraction * 10 + (text.charAt(i) - '0');
            }
        }
        for (; digits < 6; digits++) {
            fraction *= 10;
        }
        return ((day * 86_400 + h * 3600L + m * 60L + s) * 1_000_000) + fraction;
    }

    private static int two(String text, int at) {
        return (text.charAt(at) - '0') * 10 + (text.charAt(at + 1) - '0');
    }

    static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000 + t.getNano() / 1000;
    }

    static long nowMicros() {
        return micros(Instant.now());
    }
}
