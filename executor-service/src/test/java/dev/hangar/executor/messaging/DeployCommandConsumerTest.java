package dev.hangar.executor.messaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.InternalAuth;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.kit.testing.StackCredentials;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The executor's deploy consumer through the real Kafka, registry and Docker engine: a command
 * for the echo example's pinned digest is pulled, verified and kept warm (a READY container
 * labelled with the deployment, seen in the engine), another pool's command is left alone, a
 * digest the registry does not pin is reported failed, a command delivered twice is applied once,
 * and a deployment a newer command puts in another pool is no longer reported here and its
 * container goes, as it does with {@code min_warm 0}.
 */
@QuarkusTest
@TestProfile(DeployCommandConsumerTest.OwnTopics.class)
class DeployCommandConsumerTest {
    static final String REQUESTED = "executor-test-deploy-requested-" + UUID.randomUUID();
    static final String EVENTS = "executor-test-deploy-events-" + UUID.randomUUID();
    static final ProcessorRef ECHO = ProcessorRef.parse("deploy-it/echo@1");

    /** Deploy commands read from, and events written to, topics of this test's own. */
    public static class OwnTopics implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try (var admin = Admin.create(new HashMap<>(StackCredentials.kafka()))) {
                admin.createTopics(List.of(new NewTopic(REQUESTED, 1, (short) 1), new NewTopic(EVENTS, 1, (short) 1))).all().get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return Map.of("mp.messaging.incoming.deploy-requests.enabled", "true",
                    "mp.messaging.incoming.deploy-requests.topic", REQUESTED,
                    "mp.messaging.incoming.deploy-requests.auto.offset.reset", "earliest",
                    "mp.messaging.outgoing.deploy-events.topic", EVENTS,
                    "hangar.executor.deploy.report-interval", "1s");
        }
    }

    @Inject
    DockerClient docker;

    @Test
    void aDeployIsPulledVerifiedAndKeptWarmOnlyByItsPool() throws Exception {
        ProcessorSpec spec = registeredEcho();
        String digest = spec.digests().get("amd64");
        String name = "examples-echo-test-" + Long.toString(System.nanoTime(), 36);
        String other = name + "-gpu";
        String bad = name + "-bad";
        try (var consumer = consumer(); var producer = producer()) {
            send(producer, command(other, spec.image() + "@" + digest, "gpu-zz"));
            send(producer, command(bad, spec.image() + "@sha256:" + "0".repeat(64), null));
            var deployed = command(name, spec.image() + "@" + digest, null);
            send(producer, deployed);

            var events = new ArrayList<Deploy.Event>();
            Instant deadline = Instant.now().plusSeconds(180);
            while (Instant.now().isBefore(deadline) && events.stream().noneMatch(e -> e.name().equals(name)
                    && e.type() != Deploy.EventType.DEPLOYED)) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> events.add(Json.read(r.value(), Deploy.Event.class)));
            }
            var mine = events.stream().filter(e -> e.name().equals(name)).limit(2).toList();
            assertEquals(List.of(Deploy.EventType.DEPLOYED, Deploy.EventType.VERIFIED), mine.stream().map(Deploy.Event::type).toList(),
                    String.valueOf(events));
            assertEquals(digest, mine.get(1).digest());
            assertEquals(1, mine.get(1).warm());
            assertTrue(events.stream().noneMatch(e -> e.name().equals(other)), "another pool's deployment is not this executor's");
            var failed = events.stream().filter(e -> e.name().equals(bad)).toList();
            assertEquals(1, failed.size(), String.valueOf(events));
            assertEquals(Deploy.EventType.FAILED, failed.get(0).type());
            assertTrue(failed.get(0).message().startsWith("ERR_REGISTRY_MISMATCH"), failed.get(0).message());

            // the engine has it: a running container of the digest, labelled with the deployment
            var running = containersOf(name);
            assertEquals(1, running.size(), "one warm container of the deployment");
            assertEquals("running", running.get(0).getState());

            // the same command delivered again (as the start's replay and the channel both can): not applied twice,
            // and it keeps reporting the deployment, with its READY count as of each report
            send(producer, deployed);
            int before = (int) events.stream().filter(e -> e.name().equals(name)).count();
            Instant until = Instant.now().plusSeconds(15);
            while (Instant.now().isBefore(until) && events.stream().filter(e -> e.name().equals(name)).count() < before + 3) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> events.add(Json.read(r.value(), Deploy.Event.class)));
            }
            var reports = events.stream().filter(e -> e.name().equals(name)).skip(before).toList();
            assertTrue(reports.size() >= 3, "periodic reports: " + reports);
            assertTrue(reports.stream().allMatch(e -> e.type() == Deploy.EventType.VERIFIED && e.warm() == 1 && digest.equals(e.digest())),
                    String.valueOf(reports));
            assertTrue(events.stream().filter(e -> e.name().equals(bad)).count() == 1, "a failed deployment is not re-reported");
            var inspected = docker.inspectImageCmd(running.get(0).getImageId()).exec();
            assertTrue(inspected.getRepoDigests().contains(spec.image() + "@" + digest), String.valueOf(inspected.getRepoDigests()));

            // a newer command puts the deployment in another pool: this executor lets go of it and stops reporting it
            send(producer, command(name, spec.image() + "@" + digest, "gpu-zz"));
            Instant settle = Instant.now().plusSeconds(3);
            while (Instant.now().isBefore(settle)) {
                consumer.poll(Duration.ofMillis(500));
            }
            var after = new ArrayList<Deploy.Event>();
            Instant quiet = Instant.now().plusSeconds(4);
            while (Instant.now().isBefore(quiet)) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> after.add(Json.read(r.value(), Deploy.Event.class)));
            }
            assertTrue(after.stream().noneMatch(e -> e.name().equals(name)), "moved to another pool, it is no longer reported here: "
                    + after);
            // and its container goes with the idle scale-down (the spec's idle_seconds is 1)
            await().atMost(Duration.ofSeconds(30)).until(() -> containersOf(name).isEmpty());

            // back in this pool with one container, then min_warm 0: the container goes again
            send(producer, command(name, spec.image() + "@" + digest, null));
            await().atMost(Duration.ofSeconds(60)).until(() -> containersOf(name).size() == 1);
            send(producer, command(name, spec.image() + "@" + digest, null, 0));
            await().atMost(Duration.ofSeconds(30)).until(() -> containersOf(name).isEmpty());
        }
    }

    /** The running containers kept for the deployment, as the engine lists them. */
    private List<com.github.dockerjava.api.model.Container> containersOf(String name) {
        return docker.listContainersCmd().withLabelFilter(Map.of("dev.hangar.deployment", "staging/" + name)).exec();
    }

    private static Deploy.Command command(String name, String image, String pool) {
        return command(name, image, pool, 1);
    }

    private static Deploy.Command command(String name, String image, String pool, int minWarm) {
        return new Deploy.Command(Deploy.SCHEMA_VERSION, name, ECHO, "staging", image, minWarm, pool, "deploy-test", Instant.now(), null);
    }

    private static void send(KafkaProducer<String, String> producer, Deploy.Command command) throws Exception {
        producer.send(new ProducerRecord<>(REQUESTED, Deploy.key(command.ref(), command.env()), Json.write(command))).get();
    }

    /**
     * examples/processors/echo built from this tree, pushed to the local OCI registry and pinned
     * in the stack's registry as {@link #ECHO} (a namespace of this test's), as `hangar push` does.
     */
    ProcessorSpec registeredEcho() throws Exception {
        String pinned = dev.hangar.executor.docker.TestImages.pushed(docker,
                dev.hangar.executor.docker.TestImages.root().resolve("examples/processors/echo"), "deploy-it/echo");
        String image = pinned.substring(0, pinned.indexOf('@'));
        var spec = new ProcessorSpec(ECHO, "the echo example, for the deploy test", image,
                Map.of("amd64", pinned.substring(pinned.indexOf('@') + 1)), new ProcessorSpec.Resources(0.5, 256, 0, 60), List.of(),
                Json.MAPPER.readTree("{\"type\":\"object\"}"), null).withWarm(new ProcessorSpec.Warm(0, 1, 1, 1, null));
        var put = HttpRequest.newBuilder(URI.create("http://127.0.0.1:8081/v1/processors/deploy-it/echo/versions/1"))
                .header("Content-Type", "application/json").header(InternalAuth.TOKEN_HEADER, StackCredentials.internalToken())
                .header(InternalAuth.OWNER_HEADER, "deploy-test").PUT(HttpRequest.BodyPublishers.ofString(Json.write(spec))).build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            var answer = http.send(put, HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() >= 300) {
                // pinned by an earlier run of this test with another build: repin on purpose, as push --override does
                put = HttpRequest.newBuilder(URI.create("http://127.0.0.1:8081/v1/processors/deploy-it/echo/versions/1?override=true"))
                        .header("Content-Type", "application/json").header(InternalAuth.TOKEN_HEADER, StackCredentials.internalToken())
                        .header(InternalAuth.OWNER_HEADER, "deploy-test").PUT(HttpRequest.BodyPublishers.ofString(Json.write(spec))).build();
                answer = http.send(put, HttpResponse.BodyHandlers.ofString());
            }
            assertTrue(answer.statusCode() < 300, "the registry took the test processor: " + answer.body());
        }
        return spec;
    }

    private static KafkaConsumer<String, String> consumer() {
        var props = new Properties();
        props.putAll(StackCredentials.kafka());
        props.putAll(Map.of("group.id", "deploy-events-test-" + UUID.randomUUID(), "enable.auto.commit", "false",
                "key.deserializer", StringDeserializer.class.getName(), "value.deserializer", StringDeserializer.class.getName()));
        var consumer = new KafkaConsumer<String, String>(props);
        consumer.assign(List.of(new TopicPartition(EVENTS, 0)));
        consumer.seekToBeginning(List.of(new TopicPartition(EVENTS, 0)));
        return consumer;
    }

    private static KafkaProducer<String, String> producer() {
        var props = new Properties();
        props.putAll(StackCredentials.kafka());
        props.putAll(Map.of("acks", "all", "key.serializer", StringSerializer.class.getName(),
                "value.serializer", StringSerializer.class.getName()));
        return new KafkaProducer<>(props);
    }
}
