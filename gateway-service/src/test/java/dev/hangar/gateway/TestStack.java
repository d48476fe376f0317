package dev.hangar.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.kit.testing.StackCredentials;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Talks to the real local stack (registry service, OCI registry, Kafka) the tests run against. */
final class TestStack {
    static final String OCI = "127.0.0.1:5000";
    static final String REGISTRY = "http://127.0.0.1:8081";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestStack() {}

    /** The real manifest digest of the base image, as the registry serves it. */
    static String baseDigest() throws Exception {
        var head = HttpRequest.newBuilder(URI.create("http://" + OCI + "/v2/base/debian/manifests/bookworm"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", "application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json,"
                        + "application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.docker.distribution.manifest.v2+json")
                .build();
        return HTTP.send(head, HttpResponse.BodyHandlers.discarding()).headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    /** Registers a processor (pinned to the base image, which is never run by these tests). */
    static void register(String ref, String schemaJson) throws Exception {
        registerWithSecrets(ref, schemaJson);
    }

    static void registerWithSecrets(String ref, String schemaJson, String... secrets) throws Exception {
        registerAs("gateway-tests", false, spec(ref, schemaJson, secrets));
    }

    /** A processor pinned to the base image: runs of it are accepted, never awaited (it has no runtime). */
    static ProcessorSpec spec(String ref, String schemaJson, String... secrets) throws Exception {
        JsonNode schema = Json.MAPPER.readTree(schemaJson);
        return new ProcessorSpec(dev.hangar.contracts.ProcessorRef.parse(ref), "gateway test", OCI + "/base/debian",
                Map.of(dev.hangar.contracts.Platform.AMD64.wire(), baseDigest()), null, java.util.List.of(secrets), schema, null);
    }

    /** Puts {@code spec} straight into the registry, as a gateway would on behalf of {@code owner}. */
    static void registerAs(String owner, boolean override, ProcessorSpec spec) throws Exception {
        var ref = spec.ref();
        var put = HttpRequest.newBuilder(URI.create(REGISTRY + "/v1/processors/" + ref.namespace() + "/" + ref.name()
                        + "/versions/" + ref.version() + "?" + dev.hangar.contracts.Catalogue.OVERRIDE_PARAM + "=" + override))
                .header("Content-Type", "application/json")
                // the stack's internal token (bin/test exports it)
                .header(dev.hangar.contracts.InternalAuth.TOKEN_HEADER, StackCredentials.internalToken())
                .header(dev.hangar.contracts.InternalAuth.OWNER_HEADER, owner)
                .PUT(HttpRequest.BodyPublishers.ofString(Json.write(spec))).build();
        var answer = HTTP.send(put, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() >= 300) {
            throw new IllegalStateException("registry refused the test processor: " + answer.body());
        }
    }

    /**
     * A consumer that plays the executor on {@code topic} (created with one partition if missing,
     * so the order it sees is the order the gateway dispatched in), positioned at its end.
     */
    static org.apache.kafka.clients.consumer.KafkaConsumer<String, String> commandConsumer(String topic, String group) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(new java.util.HashMap<>(StackCredentials.kafka()))) {
            if (!admin.listTopics().names().get().contains(topic)) {
                admin.createTopics(java.util.List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1))).all().get();
            }
        }
        var props = new Properties();
        props.putAll(StackCredentials.kafka());
        props.putAll(Map.of("group.id", group, "enable.auto.commit", "false",
                "key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName(),
                "value.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName()));
        var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(props);
        var partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    static KafkaProducer<String, String> producer() {
        var props = new Properties();
        props.putAll(StackCredentials.kafka());
        props.putAll(Map.of("acks", "all",
                "key.serializer", StringSerializer.class.getName(), "value.serializer", StringSerializer.class.getName()));
        return new KafkaProducer<>(props);
    }

    static void send(KafkaProducer<String, String> producer, String topic, String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }
}
