import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * No-op runs per second through the stack, and its baseline: the same number of records of the
 * same size produced to and consumed from a private topic with the same partitions.
 *
 * <pre>
 * java -cp $(perf/classpath.sh) perf/Throughput.java hangar N REF bus|http [TIMEOUT_S]
 * java -cp $(perf/classpath.sh) perf/Throughput.java bare N
 * </pre>
 *
 * {@code hangar}: N runs of REF submitted at once — on the bus ({@code hangar.runs.submit}, the
 * token in the {@code authorization} header, one producer) or as {@code POST /v1/runs} (32 in
 * flight). A run counts as done when its terminal event arrives on the all-runs WebSocket, i.e.
 * after the gateway has stored it; this run's execution ids are learnt from
 * {@code hangar.runs.requested} by a nonce in their inputs. {@code bare}: N records of the size
 * of one submission (with its header) on a topic of its own, from the first send to the last
 * record consumed, after one unmeasured pass of the same; the topic is deleted after. Env: KAFKA_PASSWORD, HANGAR_TOKEN,
 * KAFKA_BOOTSTRAP_SERVERS (127.0.0.1:9092), HANGAR_GATEWAY (http://127.0.0.1:8080).
 * Prints one {@code key=value} line on stdout.
 */
public class Throughput {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String BOOTSTRAP = System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    static final String GATEWAY = System.getenv().getOrDefault("HANGAR_GATEWAY", "http://127.0.0.1:8080");
    static final String TOKEN = System.getenv().getOrDefault("HANGAR_TOKEN", "");
    static final String NONCE = "perf" + Long.toString(System.currentTimeMillis(), 36);
    static final int HTTP_IN_FLIGHT = 32;

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[1]);
        switch (args[0]) {
            case "hangar" -> hangar(n, args[2], args[3], args.length > 4 ? Integer.parseInt(args[4]) : 120);
            case "bare" -> bare(n);
            default -> throw new IllegalArgumentException("mode is hangar or bare, not " + args[0]);
        }
    }

    static String submission(String ref, int i) {
        return "{\"ref\":\"" + ref + "\",\"mode\":\"mock\",\"inputs\":{\"nonce\":\"" + NONCE + "\",\"i\":" + i + "}}";
    }

    static void hangar(int n, String ref, String entry, int timeoutSeconds) throws Exception {
        var mine = ConcurrentHashMap.<String>newKeySet();
        var ended = new ConcurrentHashMap<String, String>(); // execution id -> terminal type, from the stream
        var ranOn = new ConcurrentHashMap<String, String>(); // execution id -> executor, from its started event
        var stream = allRunsStream(ended, ranOn);
        try (var consumer = consumer(); var producer = producer()) {
            var partitions = partitions(consumer, "hangar.runs.requested");
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // fix the start before the first submission
            consumer.poll(Duration.ofMillis(100)); // connected before the clock starts
            producer.partitionsFor("hangar.runs.submit");
            long start = System.nanoTime();
            Thread submitter = Thread.ofPlatform().start(() -> submit(producer, n, ref, entry));
            long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            long last = start;
            int done = 0;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(20))) {
                    JsonNode requested = JSON.readTree(r.value());
                    if (NONCE.equals(requested.path("inputs").path("nonce").asText())) {
                        mine.add(requested.path("execution_id").asText());
                    }
                }
                int now = (int) mine.stream().filter(ended::containsKey).count();
                if (now > done) {
                    done = now;
                    last = System.nanoTime();
                }
                if (done == n) {
                    break;
                }
            }
            submitter.join();
            stream.abort();
            double seconds = (last - start) / 1e9;
            long failed = mine.stream().filter(id -> ended.containsKey(id) && !"completed".equals(ended.get(id))).count();
            var split = new java.util.TreeMap<String, Integer>();
            mine.forEach(id -> split.merge(ranOn.getOrDefault(id, "?"), 1, Integer::sum));
            System.out.printf("runs=%d requested=%d done=%d failed=%d seconds=%.2f rate=%.1f timed_out=%s by_executor=%s%n",
                    n, mine.size(), done, failed, seconds, done / seconds, done < n,
                    split.toString().replace(" ", "").replace("{", "").replace("}", ""));
        }
    }

    static void submit(KafkaProducer<String, String> producer, int n, String ref, String entry) {
        try {
            if (entry.equals("bus")) {
                for (int i = 0; i < n; i++) {
                    producer.send(busRecord("hangar.runs.submit", ref, i));
                }
                producer.flush();
                return;
            }
            var http = HttpClient.newHttpClient();
            var slots = new Semaphore(HTTP_IN_FLIGHT);
            for (int i = 0; i < n; i++) {
                slots.acquire();
                post(http, ref, i).whenComplete((ok, error) -> slots.release());
            }
            slots.acquire(HTTP_IN_FLIGHT);
            if (RATE_LIMITED.get() > 0) {
                System.err.println(RATE_LIMITED.get() + " submission(s) got 429 and were sent again after Retry-After");
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static final AtomicInteger RATE_LIMITED = new AtomicInteger();

    /** One POST /v1/runs; a 429 (the gateway's bulkhead or an owner's waiting cap) is sent again after its Retry-After. */
    static java.util.concurrent.CompletableFuture<Void> post(HttpClient http, String ref, int i) {
        var request = HttpRequest.newBuilder(URI.create(GATEWAY + "/v1/runs")).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(submission(ref, i))).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenCompose(answer -> {
            if (answer.statusCode() == 429) {
                RATE_LIMITED.incrementAndGet();
                long wait = answer.headers().firstValueAsLong("Retry-After").orElse(1);
                var later = java.util.concurrent.CompletableFuture.delayedExecutor(Math.min(wait, 2), TimeUnit.SECONDS);
                return java.util.concurrent.CompletableFuture.supplyAsync(() -> null, later).thenCompose(x -> post(http, ref, i));
            }
            if (answer.statusCode() != 202) {
                System.err.println("submission refused: " + answer.statusCode() + " " + answer.body());
            }
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        });
    }

    static ProducerRecord<String, String> busRecord(String topic, String ref, int i) {
        var record = new ProducerRecord<>(topic, NONCE + "-" + i, submission(ref, i));
        record.headers().add("authorization", ("Bearer " + TOKEN).getBytes(StandardCharsets.UTF_8));
        return record;
    }

    /** Follows /v1/runs/stream, noting each run's executor and terminal event type. */
    static WebSocket allRunsStream(Map<String, String> ended, Map<String, String> ranOn) throws Exception {
        var listener = new WebSocket.Listener() {
            final StringBuilder frame = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                frame.append(data);
                if (last) {
                    try {
                        JsonNode event = JSON.readTree(frame.toString());
                        String type = event.path("event").path("type").asText();
                        if (type.equals("started")) {
                            ranOn.put(event.path("execution_id").asText(), event.path("event").path("executor").asText());
                        }
                        if (type.equals("completed") || type.equals("failed") || type.equals("canceled")) {
                            ended.put(event.path("execution_id").asText(), type);
                        }
                    } catch (Exception e) {
                        System.err.println("unreadable frame: " + e.getMessage());
                    }
                    frame.setLength(0);
                }
                socket.request(1);
                return null;
            }
        };
        return HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + TOKEN)
                .buildAsync(URI.create(GATEWAY.replaceFirst("^http", "ws") + "/v1/runs/stream"), listener).get(10, TimeUnit.SECONDS);
    }

    static void bare(int n) throws Exception {
        String topic = "perf-bare-" + NONCE;
        try (var admin = Admin.create(kafka())) {
            int count = admin.describeTopics(List.of("hangar.runs.requested")).allTopicNames().get().get("hangar.runs.requested").partitions().size();
            admin.createTopics(List.of(new NewTopic(topic, count, (short) 1))).all().get();
            try (var consumer = consumer(); var producer = producer()) {
                var partitions = new ArrayList<TopicPartition>();
                for (int p = 0; p < count; p++) {
                    partitions.add(new TopicPartition(topic, p));
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                partitions.forEach(consumer::position);
                consumer.poll(Duration.ofMillis(100)); // connected before the clock starts, as above
                producer.partitionsFor(topic);
                passOf(n, topic, producer, consumer); // the warm-up pass, as the stack gets one
                long start = System.nanoTime();
                int got = passOf(n, topic, producer, consumer);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("runs=%d done=%d seconds=%.3f rate=%.1f partitions=%d record_bytes=%d%n",
                        n, got, seconds, got / seconds, count, submission("perf/noop@1", n / 2).length());
            } finally {
                admin.deleteTopics(List.of(topic)).all().get();
            }
        }
    }

    /** Sends N records and reads until N came back (or 60 s passed); returns how many did. */
    static int passOf(int n, String topic, KafkaProducer<String, String> producer, KafkaConsumer<String, String> consumer) {
        for (int i = 0; i < n; i++) {
            producer.send(busRecord(topic, "perf/noop@1", i));
        }
        producer.flush();
        int got = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (got < n && System.nanoTime() < deadline) {
            got += consumer.poll(Duration.ofMillis(20)).count();
        }
        return got;
    }

    static List<TopicPartition> partitions(KafkaConsumer<String, String> consumer, String topic) {
        return consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    static Map<String, Object> kafka() {
        var props = new HashMap<String, Object>();
        props.put("bootstrap.servers", BOOTSTRAP);
        props.put("security.protocol", "SASL_PLAINTEXT");
        props.put("sasl.mechanism", "SCRAM-SHA-512");
        props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"hangar\" password=\""
                + System.getenv("KAFKA_PASSWORD") + "\";");
        return props;
    }

    /** The services' producer settings (acks=all, idempotent). */
    static KafkaProducer<String, String> producer() {
        var props = kafka();
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** Assigned partitions, no group: it reads what it is told and commits nothing. */
    static KafkaConsumer<String, String> consumer() {
        var props = kafka();
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "latest");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }
}
