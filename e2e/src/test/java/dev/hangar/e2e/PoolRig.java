package dev.hangar.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.InternalAuth;
import dev.hangar.contracts.Json;
import dev.hangar.kit.testing.StackCredentials;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the remote-run ITs (RemotePoolIT, SlurmPoolIT) share: the slow test processor pushed and
 * pinned by digest (a remote run needs a pin), and a gateway of this tree with its own database,
 * events and control topics, routing remote runs to the pools it is given.
 */
final class PoolRig {
    static final String RUNTIME = "127.0.0.1:5000/hangar/runtime-python:3.11";

    private PoolRig() {}

    /**
     * The slow processor ({@code processors/slow}) built as {@code image:tag}, pushed to the OCI
     * registry and registered as {@code namespace/name@1} for {@code owner}: its ref.
     */
    static String registerSlow(String image, String tag, String namespace, String name, String owner) throws Exception {
        return registerSlow(image, tag, namespace, name, owner, "http://127.0.0.1:8081", StackCredentials.internalToken(), Stack.HTTP);
    }

    /** The same, registered at the registry at {@code registryUrl} (one of a test's own, e.g. serving HTTPS), through {@code http}. */
    static String registerSlow(String image, String tag, String namespace, String name, String owner, String registryUrl,
                               String internalToken, java.net.http.HttpClient http) throws Exception {
        return register(registryUrl, internalToken, http, "slow", image, pushed("slow", image, tag),
                namespace + "/" + name + "@1", owner, "");
    }

    /** {@code processors/<folder>} built as {@code image:tag} and pushed to the OCI registry: its digest. */
    static String pushed(String folder, String image, String tag) throws Exception {
        String tagged = image + ":" + tag;
        Stack.docker("build", "-q", "--network", "host", "--build-arg", "RUNTIME=" + RUNTIME, "-t", tagged,
                Stack.ROOT.resolve("e2e/src/test/resources/processors/" + folder).toString());
        Stack.docker("push", "-q", tagged);
        return Stack.docker("inspect", "--format", "{{range .RepoDigests}}{{println .}}{{end}}", tagged).lines()
                .filter(l -> l.startsWith(image + "@")).findFirst().map(l -> l.substring(l.indexOf('@') + 1).strip()).orElseThrow();
    }

    /** {@link #register(String, String, java.net.http.HttpClient, String, String, String, String, String, String)} with the stack's token, over HTTP. */
    static String register(String registryUrl, String what, String image, String digest, String ref, String owner, String secrets)
            throws Exception {
        return register(registryUrl, StackCredentials.internalToken(), Stack.HTTP, what, image, digest, ref, owner, secrets);
    }

    /**
     * Registers {@code ref} ({@code ns/name@ver}) for {@code owner} in the registry at {@code registryUrl}, image
     * {@code image} pinned to {@code digest}, requiring {@code secrets} (a JSON list's inside, e.g. {@code "\"A\""}): its ref.
     */
    static String register(String registryUrl, String internalToken, java.net.http.HttpClient http, String what, String image,
                           String digest, String ref, String owner, String secrets) throws Exception {
        var parsed = dev.hangar.contracts.ProcessorRef.parse(ref);
        String spec = """
                {"ref":"%s","description":"pool test (%s)","image":"%s","digests":{"amd64":"%s"},
                 "runtime":{"cpu":0.5,"memory_mb":128,"gpus":0,"timeout_seconds":120},"secrets":[%s],
                 "inputs_schema":{"type":"object"},"outputs":[],"retry":{"max_attempts":2,"backoff_seconds":1}}"""
                .formatted(ref, what, image, digest, secrets);
        var put = http.send(HttpRequest.newBuilder(URI.create(registryUrl + "/v1/processors/" + parsed.namespace() + "/"
                        + parsed.name() + "/versions/" + parsed.version())).header("Content-Type", "application/json")
                .header(InternalAuth.TOKEN_HEADER, internalToken).header(InternalAuth.OWNER_HEADER, owner)
                .PUT(HttpRequest.BodyPublishers.ofString(spec)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(put.statusCode() / 100 == 2, "registering the spec: " + put.statusCode() + " " + put.body());
        return ref;
    }

    /**
     * A gateway of this tree on database {@code db}, its internal API on {@code internalPort},
     * {@code owner}'s bootstrap {@code token}, the remote {@code pools} (comma-separated), and
     * events, control and submissions topics of its own.
     */
    static ServiceProcess gateway(String name, String db, int internalPort, String owner, String token, String pools,
                                  String events, String control, String submit) throws Exception {
        return gateway(name, db, internalPort, owner + "=" + token, pools, events, control, submit, Map.of(), Map.of());
    }

    /** The same with several {@code owner=token} pairs, and more environment and properties (a registry URL, deploy topics). */
    static ServiceProcess gateway(String name, String db, int internalPort, String tokens, String pools, String events, String control,
                                  String submit, Map<String, String> moreEnv, Map<String, String> moreProps) throws Exception {
        int port = ServiceProcess.freePort();
        var env = new java.util.HashMap<>(Map.of(
                "HANGAR_PUBLIC_URL", "http://127.0.0.1:" + port, // the stream URLs it hands out (the CLI follows them) name it
                "HANGAR_DB_URL", "jdbc:postgresql://127.0.0.1:5432/" + db,
                "HANGAR_INTERNAL_TOKEN", StackCredentials.internalToken(),
                "HANGAR_SECRETS_KEY", name + "-secrets-key-" + UUID.randomUUID(),
                "HANGAR_GATEWAY_ID", name,
                "HANGAR_GATEWAY_INTERNAL_PORT", String.valueOf(internalPort),
                "HANGAR_BOOTSTRAP_TOKENS", tokens,
                "HANGAR_REMOTE_POOLS", pools,
                "HANGAR_REMOTE_CAPACITY_WAIT", "120s",
                "HANGAR_SWEEPER_INTERVAL", "500ms"));
        env.putAll(moreEnv);
        var props = new java.util.HashMap<>(Map.of(
                "mp.messaging.incoming.run-events.topic", events,
                "mp.messaging.incoming.run-events.dead-letter-queue.topic", events + ".dlq",
                "mp.messaging.outgoing.run-control.topic", control,
                "mp.messaging.incoming.run-submissions.topic", submit,
                "mp.messaging.outgoing.run-submissions-dlq.topic", submit + ".dlq"));
        props.putAll(moreProps);
        return ServiceProcess.start("gateway-service", name, port, env, props);
    }

    /** Every run event on a test's own events topic, from its beginning, read on a daemon thread until closed. */
    static final class EventTap implements AutoCloseable {
        private final List<JsonNode> events = new CopyOnWriteArrayList<>();
        private volatile boolean consuming = true;

        EventTap(String topic) {
            Thread.ofPlatform().daemon().start(() -> consume(topic));
        }

        private void consume(String topic) {
            var props = new Properties();
            props.putAll(StackCredentials.kafka());
            props.putAll(Map.of("key.deserializer", StringDeserializer.class.getName(),
                    "value.deserializer", StringDeserializer.class.getName()));
            try (var kafka = new KafkaConsumer<String, String>(props)) {
                var partitions = kafka.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
                kafka.assign(partitions);
                kafka.seekToBeginning(partitions);
                while (consuming) {
                    for (var record : kafka.poll(Duration.ofMillis(200))) {
                        events.add(Json.MAPPER.readTree(record.value()));
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** The events of one execution, in the order they arrived. */
        List<JsonNode> of(String id) {
            return events.stream().filter(e -> e.path("execution_id").asText().equals(id)).toList();
        }

        @Override
        public void close() {
            consuming = false;
        }
    }

    static String type(JsonNode event) {
        return event.path("event").path("type").asText();
    }

    static boolean terminal(JsonNode event) {
        return List.of("completed", "failed", "canceled").contains(type(event));
    }

    /** One timed run on a pool, in milliseconds. */
    interface Timed {
        double on(String pool) throws Exception;
    }

    /**
     * {@code runs} rounds of a run on pool {@code a} then one on pool {@code b}, after two unmeasured
     * rounds, alternating so the shared machine's load hits both alike: "runs, a's p50, a's p99,
     * b's p50, b's p99" (ms), tab-separated.
     */
    static String alternately(int runs, Timed timed, String a, String b) throws Exception {
        var first = new java.util.ArrayList<Double>();
        var second = new java.util.ArrayList<Double>();
        for (int i = -2; i < runs; i++) {
            double x = timed.on(a);
            double y = timed.on(b);
            if (i >= 0) {
                first.add(x);
                second.add(y);
            }
        }
        java.util.Collections.sort(first);
        java.util.Collections.sort(second);
        return String.join("\t", String.valueOf(runs), percentile(first, 50), percentile(first, 99), percentile(second, 50),
                percentile(second, 99));
    }

    private static String percentile(List<Double> sorted, int percentile) {
        int i = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return String.format(java.util.Locale.ROOT, "%.1f", sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))));
    }
}
