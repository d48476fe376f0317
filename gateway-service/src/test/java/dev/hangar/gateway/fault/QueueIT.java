package dev.hangar.gateway.fault;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunRequested;
import dev.hangar.contracts.Topics;
import dev.hangar.kit.testing.PrivateKafka;
import dev.hangar.kit.testing.StackCredentials;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Queueing against real processes: this tree's gateway jar on a private broker and a private
 * PostgreSQL. Held runs survive a kill -9 of the gateway and still go out in submit order within
 * the owner's limit; a flood of concurrent submissions with no executor gets 202 or a clear 429,
 * while reads and health stay fast.
 */
class QueueIT {
    static final int LIMIT = 2;
    /** The flooding owner of the load test: its runs must not hold the other test's owner back. */
    static final String FLOOD_TOKEN = "queue-flood-token-0123456789";
    /** The owner of the broker test, limited to one run: with no executor its slot stays taken. */
    static final String HELD_TOKEN = "queue-held-token-01234567890";
    static Path dir;
    static PrivatePostgres pg;
    static PrivateKafka kafka;
    static GatewayProcess gateway;

    @BeforeAll
    static void start() throws Exception {
        Registry.registerEcho();
        dir = Files.createTempDirectory("hangar-queue-");
        pg = new PrivatePostgres(dir);
        kafka = PrivateKafka.started(dir.resolve("kafka"), List.of(Topics.RUNS_EVENTS, Topics.RUNS_CONTROL, Topics.RUNS_EVENTS_DLQ));
        try (var admin = kafka.admin()) {
            // one partition: the order the executor sees is the order the gateway dispatched in
            admin.createTopics(List.of(new NewTopic(Topics.RUNS_REQUESTED, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        gateway = new GatewayProcess("queue-1", kafka.bootstrap(), pg.jdbcUrl(), Map.of(
                "hangar.gateway.bootstrap-tokens", GatewayProcess.OWNER + "=" + GatewayProcess.TOKEN + ",flood=" + FLOOD_TOKEN
                        + ",held=" + HELD_TOKEN,
                "hangar.gateway.queue.owner-overrides", GatewayProcess.OWNER + "=" + LIMIT + ",held=1",
                "hangar.gateway.outbox.interval", "300ms"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {gateway, kafka, pg}) {
            if (c != null) {
                c.close();
            }
        }
        if (dir != null) {
            Processes.run(List.of("rm", "-rf", dir.toString()));
        }
    }

    static String submit() throws Exception {
        var answer = gateway.post("/v1/runs", "{\"ref\":\"" + Bus.REF + "\",\"inputs\":{\"text\":\"x\"}}");
        assertEquals(202, answer.statusCode(), answer.body());
        return Json.MAPPER.readTree(answer.body()).path("execution_id").asText();
    }

    static JsonNode run(String id) throws Exception {
        return Json.MAPPER.readTree(gateway.get("/v1/runs/" + id).body());
    }

    @Test
    void heldRunsSurviveAGatewayKilledAndGoOutInSubmitOrderWithinTheLimit() throws Exception {
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            submitted.add(submit());
        }
        try (var executor = new PacedExecutor(kafka.bootstrap(), Duration.ofMillis(300), Set.copyOf(submitted))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> executor.received.size() >= 5);
            gateway.kill();
            gateway.start();
            JsonNode last = run(submitted.getLast());
            assertEquals("queued", last.path("status").asText());
            assertEquals("held_owner_limit", last.path("queue").path("state").asText(), last.toString());
            await().atMost(Duration.ofSeconds(90)).until(() -> executor.received.size() >= submitted.size());
            for (String id : submitted) {
                await().atMost(Duration.ofSeconds(30)).until(() -> "success".equals(run(id).path("status").asText()));
            }
            assertEquals(submitted, executor.received, "every held run went out once, in submit order, none lost");
            assertTrue(executor.maxInFlight.get() <= LIMIT, "never more than the owner's limit at an executor at once: "
                    + executor.maxInFlight.get());
            assertEquals(LIMIT, executor.maxInFlight.get(), "the limit was used, not more nor less");
        }
    }

    @Test
    void aFloodOfConcurrentSubmissionsGetsAnswersAndReadsAndHealthKeepAnswering() throws Exception {
        var first = GatewayProcess.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url("/v1/runs")))
                .header("Authorization", "Bearer " + FLOOD_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"ref\":\"" + Bus.REF + "\",\"inputs\":{\"text\":\"x\"}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, first.statusCode(), first.body());
        String probe = Json.MAPPER.readTree(first.body()).path("execution_id").asText();
        var client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        var latencies = new CopyOnWriteArrayList<Long>();
        var failures = new CopyOnWriteArrayList<String>();
        ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor();
        reader.scheduleWithFixedDelay(() -> {
            for (String path : List.of("/v1/runs/" + probe, "/q/health/ready")) {
                long t0 = System.nanoTime();
                try {
                    int status = flood(path).statusCode();
                    latencies.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                    if (status != 200) {
                        failures.add(path + " answered " + status);
                    }
                } catch (Exception e) {
                    failures.add(path + ": " + e);
                }
            }
        }, 0, 50, TimeUnit.MILLISECONDS);
        int flood = 2000;
        var answers = new ArrayList<CompletableFuture<HttpResponse<String>>>();
        long t0 = System.nanoTime();
        for (int i = 0; i < flood; i++) {
            answers.add(client.sendAsync(HttpRequest.newBuilder(URI.create(gateway.url("/v1/runs"))).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + FLOOD_TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"ref\":\"" + Bus.REF + "\",\"inputs\":{\"text\":\"x\"}}")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        var statuses = new ConcurrentHashMap<Integer, AtomicInteger>();
        for (var answer : answers) {
            var response = answer.get(120, TimeUnit.SECONDS);
            statuses.computeIfAbsent(response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
            if (response.statusCode() != 202) {
                JsonNode problem = Json.MAPPER.readTree(response.body());
                assertEquals(429, response.statusCode(), response.body());
                assertEquals("ERR_RATE_LIMITED", problem.path("code").asText(), response.body());
                assertTrue(response.headers().firstValue("Retry-After").isPresent(), "a 429 says when to retry");
            }
        }
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        reader.shutdown();
        reader.awaitTermination(10, TimeUnit.SECONDS);
        var sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        long p50 = sorted.get(sorted.size() / 2);
        long p99 = sorted.get((int) (sorted.size() * 0.99));
        long max = sorted.getLast();
        System.out.printf("flood of %d submissions: %s in %d ms; reads during it: %d, p50 %d ms, p99 %d ms, max %d ms%n",
                flood, statuses, took, sorted.size(), p50, p99, max);
        assertEquals(List.of(), failures, "every read during the flood answered 200");
        assertTrue(statuses.getOrDefault(202, new AtomicInteger()).get() > 0, "submissions were accepted: " + statuses);
        long accepted = statuses.getOrDefault(202, new AtomicInteger()).get();
        long rows;
        try (var c = java.sql.DriverManager.getConnection(pg.jdbcUrl(), "hangar", "hangar");
             var rs = c.createStatement().executeQuery("SELECT count(*) FROM runs WHERE owner = 'flood'")) {
            rs.next();
            rows = rs.getLong(1);
        }
        assertEquals(accepted + 1, rows, "a run for every 202 (and the probe) and none for a 429");
    }

    @Test
    void aBrokerThatDiesWhileEveryRunIsHeldIsNoticedAndNewRunsAreRefused() throws Exception {
        var accepted = new AtomicInteger();
        // the first run takes the owner's only slot (no executor ends it), the second waits in the outbox:
        // from now on the relay has nothing it may send, so only asking the cluster shows the broker gone
        for (int i = 0; i < 2; i++) {
            assertEquals(202, submitHeld(accepted).statusCode());
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> heldRows("SELECT count(*) FROM outbox WHERE owner = 'held'") == 1);
        kafka.kill(); // after the first command's acknowledgement: no send of the relay's can fail now
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> submitHeld(accepted).statusCode() == 503);
            var refused = submitHeld(accepted);
            assertEquals(503, refused.statusCode(), refused.body());
            JsonNode problem = Json.MAPPER.readTree(refused.body());
            assertEquals("ERR_UNAVAILABLE", problem.path("code").asText(), refused.body());
            assertTrue(problem.path("detail").asText().contains("Kafka"), refused.body());
        } finally {
            kafka.start();
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> submitHeld(accepted).statusCode() == 202);
        assertEquals(accepted.get(), heldRows("SELECT count(*) FROM runs WHERE owner = 'held'"),
                "a run for every 202, kept through the outage, and none for a 503");
    }

    static long heldRows(String count) throws Exception {
        try (var c = java.sql.DriverManager.getConnection(pg.jdbcUrl(), "hangar", "hangar"); var rs = c.createStatement().executeQuery(count)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A submission of the echo as the broker test's owner, counting the accepted. */
    static HttpResponse<String> submitHeld(AtomicInteger accepted) throws Exception {
        var answer = GatewayProcess.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url("/v1/runs"))).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + HELD_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"ref\":\"" + Bus.REF + "\",\"inputs\":{\"text\":\"x\"}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 202) {
            accepted.incrementAndGet();
        }
        return answer;
    }

    /** A GET as the flooding owner. */
    static HttpResponse<String> flood(String path) throws Exception {
        // a read that gets no answer in 10 s counts as the gateway not answering (how fast is perf/'s business, not a test's)
        return GatewayProcess.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url(path))).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + FLOOD_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Takes this test's commands and ends each {@code hold} after it got it, counting how many it had at once. */
    static final class PacedExecutor implements AutoCloseable {
        final List<String> received = new CopyOnWriteArrayList<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        private final ScheduledExecutorService ends = Executors.newSingleThreadScheduledExecutor();
        private final Bus bus;
        private final Thread thread;
        private volatile boolean running = true;

        /** Runs only {@code mine}: the load test's flood stays where it is. */
        PacedExecutor(String bootstrap, Duration hold, Set<String> mine) {
            bus = new Bus(bootstrap);
            var props = new Properties();
            props.putAll(StackCredentials.kafka(bootstrap));
            props.putAll(Map.of("group.id", "queue-executor", "auto.offset.reset", "earliest",
                    "key.deserializer", StringDeserializer.class.getName(), "value.deserializer", StringDeserializer.class.getName()));
            thread = Thread.ofPlatform().name("paced-executor").start(() -> {
                try (var consumer = new KafkaConsumer<String, String>(props)) {
                    consumer.subscribe(List.of(Topics.RUNS_REQUESTED));
                    while (running) {
                        for (var record : consumer.poll(Duration.ofMillis(100))) {
                            var command = Json.read(record.value(), RunRequested.class);
                            if (!mine.contains(command.executionId()) || received.contains(command.executionId())) {
                                continue; // not this test's, or a re-publish after the kill (the executor's own dedupe)
                            }
                            received.add(command.executionId());
                            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                            bus.started(command.executionId(), 1);
                            ends.schedule(() -> {
                                inFlight.decrementAndGet();
                                bus.completed(command.executionId(), 1, 2);
                                return null;
                            }, hold.toMillis(), TimeUnit.MILLISECONDS);
                        }
                    }
                } catch (Exception e) {
                    if (running) {
                        e.printStackTrace();
                    }
                }
            });
        }

        @Override
        public void close() throws Exception {
            running = false;
            thread.join(10_000);
            ends.shutdown();
            ends.awaitTermination(10, TimeUnit.SECONDS);
            bus.close();
        }
    }
}
