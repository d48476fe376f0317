package dev.hangar.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.InternalAuth;
import dev.hangar.contracts.Json;
import dev.hangar.kit.testing.PrivateKafka;
import dev.hangar.kit.testing.StackCredentials;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An executor SIGKILLed mid-run (docs/delivery.md). Real processes of this tree: a registry (its
 * own database), a gateway (its own database, the attempt claims, consuming this test's events
 * topic) and executors consuming this test's private command topics, on the stack's Kafka,
 * Docker and S3. The run is taken again as attempt 2 by another executor, which removes the dead
 * one's container, and the run ends in exactly one terminal envelope.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExecutorFailoverIT {
    static final String RUNTIME = "127.0.0.1:5000/hangar/runtime-python:3.11";
    static final String TOKEN = "retry-it-internal-token-" + UUID.randomUUID();
    static final String TAG = "retry-it-" + UUID.randomUUID().toString().substring(0, 8);
    static final String EVENTS = "hangar.retry-it.events." + TAG;

    private ServiceProcess registry;
    private ServiceProcess gateway;
    private final List<ServiceProcess> executors = new CopyOnWriteArrayList<>();
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private volatile boolean consuming = true;
    private Thread consumer;
    private String image;
    private int gatewayInternalPort;
    private Path work;

    @BeforeAll
    void startServices() throws Exception {
        work = Files.createTempDirectory("hangar-retry-it");
        Stack.createTopicsOn("127.0.0.1:9092", EVENTS);
        image = buildSlowImage();
        gatewayInternalPort = ServiceProcess.freePort();
        registry = ServiceProcess.start("registry-service", TAG + "-registry", Map.of(
                "HANGAR_DB_URL", "jdbc:postgresql://127.0.0.1:5432/hangar_registry_failover",
                "HANGAR_INTERNAL_TOKEN", TOKEN,
                "HANGAR_VERIFY_DIGESTS", "false"), Map.of());
        gateway = ServiceProcess.start("gateway-service", TAG + "-gateway", Map.of(
                "HANGAR_DB_URL", "jdbc:postgresql://127.0.0.1:5432/hangar_gateway_failover",
                "HANGAR_INTERNAL_TOKEN", TOKEN,
                "HANGAR_SECRETS_KEY", "retry-it-secrets-key-" + UUID.randomUUID(),
                "HANGAR_GATEWAY_ID", TAG,
                "HANGAR_GATEWAY_INTERNAL_PORT", String.valueOf(gatewayInternalPort),
                "HANGAR_REGISTRY_URL", registry.url()), Map.of(
                "mp.messaging.incoming.run-events.topic", EVENTS,
                "mp.messaging.incoming.run-events.dead-letter-queue.topic", EVENTS + ".dlq",
                "mp.messaging.outgoing.run-requests.topic", "hangar.retry-it.unused." + TAG,
                "mp.messaging.outgoing.run-control.topic", "hangar.retry-it.control." + TAG));
        consumer = Thread.ofPlatform().daemon().start(this::consumeEvents);
    }

    @AfterAll
    void stopServices() throws Exception {
        consuming = false;
        for (var e : executors) {
            e.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (registry != null) {
            registry.close();
        }
        removeContainers("label=dev.hangar.executor");
    }

    @Test
    void aRunWhoseExecutorIsKilledEndsOnceAsAttemptTwoOnAnotherExecutor() throws Exception {
        String id = register("slow", 2);
        String topic = "hangar.retry-it.requested." + TAG + ".a";
        var first = executor(topic, "a1", Map.of());
        publish(topic, id);
        await().atMost(Duration.ofSeconds(60)).until(() -> started(id, 1));
        List<String> orphans = containers(id);
        assertEquals(1, orphans.size(), "attempt 1 runs in one container");

        first.kill();
        var second = executor(topic, "a2", Map.of());

        await().atMost(Duration.ofSeconds(90)).until(() -> !terminals(id).isEmpty());
        assertTrue(started(id, 2), "attempt 2 started");
        settle();
        var terminals = terminals(id);
        assertEquals(1, terminals.size(), "exactly one terminal event: " + terminals);
        var terminal = terminals.getFirst();
        assertEquals(2, terminal.path("attempt").asInt());
        var envelope = terminal.path("event").path("envelope");
        assertEquals("success", envelope.path("status").asText(), envelope.toString());
        assertEquals(2, envelope.path("meta").path("attempt").asInt(), "the attempt is in the envelope");
        assertTrue(second.logText().contains("removing container " + orphans.getFirst()), "the new executor removed the orphan");
        assertEquals(List.of(), containers(id), "no container of the run is left");
        assertEquals(Map.of(1, true, 2, true), storedAttempts(id), "the gateway stored the events of both attempts");
        second.close();
    }

    @Test
    void aRetryThatFailsFastStillEndsInOneTerminalEnvelopeWithTheClearCode() throws Exception {
        String id = register("slow", 2);
        String topic = "hangar.retry-it.requested." + TAG + ".b";
        var first = executor(topic, "b1", Map.of());
        publish(topic, id);
        await().atMost(Duration.ofSeconds(60)).until(() -> started(id, 1));

        first.kill();
        // The second executor's Docker engine is unreachable: attempt 2 fails at once, on infrastructure.
        var second = executor(topic, "b2", Map.of("docker.host", "unix://" + work.resolve("no-engine.sock")));

        await().atMost(Duration.ofSeconds(90)).until(() -> !terminals(id).isEmpty());
        settle();
        var terminals = terminals(id);
        assertEquals(1, terminals.size(), "exactly one terminal event: " + terminals);
        var envelope = terminals.getFirst().path("event").path("envelope");
        assertEquals(2, terminals.getFirst().path("attempt").asInt());
        assertEquals("ERR_ATTEMPTS_EXHAUSTED", envelope.path("error").path("code").asText(), envelope.toString());
        assertTrue(envelope.path("error").path("message").asText().contains("ERR_UNAVAILABLE: cannot remove what earlier attempts"),
                envelope.toString());
        assertTrue(!started(id, 2), "attempt 2 failed before any container");
        second.close();
        for (String orphan : containers(id)) { // its engine was unreachable: the lost executor's container is this test's to remove
            Stack.docker("rm", "-f", orphan);
        }
    }

    @Test
    void aRunPastItsPolicyAfterALostExecutorEndsWithAttemptsExhaustedAndRunsNothing() throws Exception {
        String id = register("slow", 1);
        String topic = "hangar.retry-it.requested." + TAG + ".c";
        var first = executor(topic, "c1", Map.of());
        publish(topic, id);
        await().atMost(Duration.ofSeconds(60)).until(() -> started(id, 1));

        first.kill();
        var second = executor(topic, "c2", Map.of());

        await().atMost(Duration.ofSeconds(90)).until(() -> !terminals(id).isEmpty());
        settle();
        var terminals = terminals(id);
        assertEquals(1, terminals.size(), "exactly one terminal event: " + terminals);
        var envelope = terminals.getFirst().path("event").path("envelope");
        assertEquals("ERR_ATTEMPTS_EXHAUSTED", envelope.path("error").path("code").asText(), envelope.toString());
        assertEquals(2, envelope.path("meta").path("attempt").asInt());
        assertTrue(!started(id, 2), "no second attempt ran");
        assertEquals(List.of(), containers(id), "the lost executor's container is removed all the same");
        second.close();
    }

    @Test
    void theSameCommandOnTwoLiveExecutorsAtOnceRunsOnce() throws Exception {
        String id = register("slow", 2);
        String topic = "hangar.retry-it.requested." + TAG + ".e";
        var first = executor(topic + "1", "e1", Map.of());
        var second = executor(topic + "2", "e2", Map.of());
        publish(topic + "1", id);
        await().atMost(Duration.ofSeconds(60)).until(() -> started(id, 1));

        publish(topic + "2", id); // as a rebalance would hand it to a second executor while the first runs it

        await().atMost(Duration.ofSeconds(90)).until(() -> second.logText().contains("run " + id + " has ended already"));
        settle();
        assertEquals(1, terminals(id).size(), "exactly one terminal event: " + terminals(id));
        assertTrue(!started(id, 2), "the second executor started nothing");
        assertTrue(second.logText().contains("is held by a live executor"), "it waited for the first one's lease");
        first.close();
        second.close();
    }

    @Test
    void aTerminalEnvelopeIsPublishedAgainUntilKafkaTakesItAndArrivesOnce() throws Exception {
        String id = register("slow", 2);
        try (var kafka = new PrivateKafka(Files.createDirectories(work.resolve("kafka")))) {
            kafka.start();
            String topic = "hangar.retry-it.requested.d";
            String events = "hangar.retry-it.events.d";
            Stack.createTopicsOn(kafka.bootstrap(), topic, events);
            var executor = executor(topic, "d1", Map.of("kafka.bootstrap.servers", kafka.bootstrap(),
                    "mp.messaging.outgoing.run-events.topic", events,
                    "mp.messaging.outgoing.run-events.delivery.timeout.ms", "4000",
                    "mp.messaging.outgoing.run-events.request.timeout.ms", "2000",
                    "mp.messaging.outgoing.run-events.max.block.ms", "2000",
                    "hangar.executor.delivery.ack-timeout", "PT10S"), kafka.bootstrap());
            publish(kafka.bootstrap(), topic, id);
            await().atMost(Duration.ofSeconds(60)).until(() -> read(kafka.bootstrap(), events, id).stream()
                    .anyMatch(e -> e.path("event").path("type").asText().equals("started")));

            kafka.kill(); // the run (10 s) ends while the broker is down
            await().atMost(Duration.ofSeconds(90)).until(() -> executor.logText().contains("publishing the envelope of " + id + " failed"));
            kafka.start();

            await().atMost(Duration.ofSeconds(90)).until(() -> terminalsIn(read(kafka.bootstrap(), events, id)).size() >= 1);
            settle();
            var terminals = terminalsIn(read(kafka.bootstrap(), events, id));
            assertEquals(1, terminals.size(), "the envelope arrives once: " + terminals);
            assertEquals("success", terminals.getFirst().path("event").path("envelope").path("status").asText());
            assertEquals(List.of(), containers(id));
            executor.close();
        }
    }

    // ---- the processes

    private ServiceProcess executor(String topic, String name, Map<String, String> extra) throws Exception {
        return executor(topic, name, extra, "127.0.0.1:9092");
    }

    private ServiceProcess executor(String topic, String name, Map<String, String> extra, String kafka) throws Exception {
        Stack.createTopicsOn(kafka, topic);
        var props = new HashMap<>(Map.of(
                "mp.messaging.incoming.run-requests.topic", topic,
                "mp.messaging.incoming.run-requests.group.id", topic + ".group",
                "mp.messaging.incoming.run-requests.dead-letter-queue.topic", topic + ".dlq",
                "mp.messaging.incoming.run-requests.heartbeat.interval.ms", "1000",
                "mp.messaging.outgoing.run-events.topic", EVENTS,
                "mp.messaging.incoming.run-control.topic", "hangar.retry-it.control." + TAG,
                "hangar.executor.delivery.retry-initial", "PT0.2S",
                "hangar.executor.delivery.retry-max", "PT2S",
                "hangar.executor.delivery.lease", "PT5S"));
        props.putAll(extra);
        var process = ServiceProcess.start("executor-service", TAG + "-executor-" + name, Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka,
                "HANGAR_EXECUTOR_ID", TAG + "-" + name,
                "HANGAR_EXECUTOR_WORK_DIR", work.resolve(name).toString(),
                "HANGAR_EXECUTOR_SESSION_TIMEOUT_MS", "6000",
                "HANGAR_INTERNAL_TOKEN", TOKEN,
                "HANGAR_GATEWAY_INTERNAL_URL", "http://127.0.0.1:" + gatewayInternalPort,
                "HANGAR_REGISTRY_URL", registry.url()), props);
        executors.add(process);
        return process;
    }

    /** Registers retry-it-TAG/NAME@1 in this test's registry with a retry policy, and returns a fresh execution id. */
    private String register(String name, int maxAttempts) throws Exception {
        String ns = TAG;
        String version = String.valueOf(maxAttempts);
        String spec = """
                {"ref":"%s/%s@%s","description":"retry test","image":"127.0.0.1:5000/%s/%s","digests":{},
                 "runtime":{"cpu":0.5,"memory_mb":128,"gpus":0,"timeout_seconds":120},"secrets":[],
                 "inputs_schema":{"type":"object"},"outputs":[],"retry":{"max_attempts":%d,"backoff_seconds":1}}"""
                .formatted(ns, name, version, ns, name, maxAttempts);
        var put = Stack.HTTP.send(HttpRequest.newBuilder(URI.create(registry.url() + "/v1/processors/" + ns + "/" + name
                        + "/versions/" + version)).header("Content-Type", "application/json")
                .header(InternalAuth.TOKEN_HEADER, TOKEN).header(InternalAuth.OWNER_HEADER, "retry-it")
                .PUT(HttpRequest.BodyPublishers.ofString(spec)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(put.statusCode() / 100 == 2, "registering the spec: " + put.statusCode() + " " + put.body());
        return "retryit_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20) + "_" + version;
    }

    private void publish(String topic, String id) throws Exception {
        publish("127.0.0.1:9092", topic, id);
    }

    private void publish(String kafka, String topic, String id) throws Exception {
        String version = id.substring(id.lastIndexOf('_') + 1);
        var command = new dev.hangar.contracts.RunRequested(1, id, 1, Instant.now(), null,
                dev.hangar.contracts.ProcessorRef.parse(TAG + "/slow@" + version), dev.hangar.contracts.Adapter.LOCAL,
                dev.hangar.contracts.Mode.MOCK, null, "/artifacts/retry-it/{execution_id}/",
                Json.MAPPER.valueToTree(Map.of("seconds", 10)), null, true, image, null, null, null);
        var props = new Properties();
        props.putAll(StackCredentials.kafka(kafka));
        props.putAll(Map.of("acks", "all",
                "key.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName(),
                "value.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName()));
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(props)) {
            producer.send(new ProducerRecord<>(topic, id, Json.write(command))).get(10, TimeUnit.SECONDS);
        }
    }

    // ---- what happened

    private void consumeEvents() {
        var props = new Properties();
        props.putAll(StackCredentials.kafka());
        props.putAll(Map.of("key.deserializer", StringDeserializer.class.getName(),
                "value.deserializer", StringDeserializer.class.getName()));
        try (var kafka = new KafkaConsumer<String, String>(props)) {
            var partition = new TopicPartition(EVENTS, 0);
            kafka.assign(List.of(partition));
            kafka.seekToBeginning(List.of(partition));
            while (consuming) {
                for (var record : kafka.poll(Duration.ofMillis(200))) {
                    events.add(Json.MAPPER.readTree(record.value()));
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<JsonNode> of(String id) {
        return events.stream().filter(e -> e.path("execution_id").asText().equals(id)).toList();
    }

    private boolean started(String id, int attempt) {
        return of(id).stream().anyMatch(e -> e.path("attempt").asInt() == attempt
                && e.path("event").path("type").asText().equals("started"));
    }

    private List<JsonNode> terminals(String id) {
        return terminalsIn(of(id));
    }

    /** Every event of a run on a topic, read from its beginning. */
    private static List<JsonNode> read(String kafka, String topic, String id) throws Exception {
        var props = new Properties();
        props.putAll(StackCredentials.kafka(kafka));
        props.putAll(Map.of("key.deserializer", StringDeserializer.class.getName(),
                "value.deserializer", StringDeserializer.class.getName()));
        var found = new java.util.ArrayList<JsonNode>();
        try (var kafkaConsumer = new KafkaConsumer<String, String>(props)) {
            var partition = new TopicPartition(topic, 0);
            kafkaConsumer.assign(List.of(partition));
            kafkaConsumer.seekToBeginning(List.of(partition));
            long end = kafkaConsumer.endOffsets(List.of(partition), Duration.ofSeconds(10)).get(partition);
            while (kafkaConsumer.position(partition, Duration.ofSeconds(10)) < end) {
                for (var record : kafkaConsumer.poll(Duration.ofMillis(500))) {
                    var event = Json.MAPPER.readTree(record.value());
                    if (event.path("execution_id").asText().equals(id)) {
                        found.add(event);
                    }
                }
            }
        }
        return found;
    }

    private static List<JsonNode> terminalsIn(List<JsonNode> events) {
        return events.stream().filter(e -> List.of("completed", "failed", "canceled")
                .contains(e.path("event").path("type").asText())).toList();
    }

    /** Gives a second terminal event, if one were coming, the time to arrive. */
    private static void settle() throws InterruptedException {
        Thread.sleep(3000);
    }

    /** Which attempts have events in the gateway's run_events table. */
    private static Map<Integer, Boolean> storedAttempts(String id) throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> attemptsInDb(id).size() >= 2);
        return attemptsInDb(id);
    }

    private static Map<Integer, Boolean> attemptsInDb(String id) throws Exception {
        var found = new java.util.TreeMap<Integer, Boolean>();
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/hangar_gateway_failover", "hangar",
                StackCredentials.dbPassword());
             var ps = c.prepareStatement("SELECT DISTINCT attempt FROM run_events WHERE execution_id = ?")) {
            ps.setString(1, id);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getInt(1), true);
                }
            }
        }
        return found;
    }

    // ---- Kafka, Docker


    private static String buildSlowImage() throws Exception {
        String tag = "hangar-it/retry-slow:test";
        Path context = Stack.ROOT.resolve("e2e/src/test/resources/processors/slow");
        Stack.docker("build", "-q", "--network", "host", "--build-arg", "RUNTIME=" + RUNTIME, "-t", tag, context.toString());
        return Stack.docker("inspect", "--format", "{{.Id}}", tag).strip();
    }

    private static List<String> containers(String id) throws Exception {
        return Stack.docker("ps", "-aq", "--no-trunc", "--filter", "label=dev.hangar.execution_id=" + id).lines()
                .filter(l -> !l.isBlank()).toList();
    }

    private static void removeContainers(String filter) throws Exception {
        for (String c : Stack.docker("ps", "-aq", "--filter", filter).lines().filter(l -> !l.isBlank()).toList()) {
            var labels = Stack.docker("inspect", "--format", "{{index .Config.Labels \"dev.hangar.executor\"}}", c);
            if (labels.strip().startsWith(TAG)) {
                Stack.docker("rm", "-f", c);
            }
        }
    }

}
