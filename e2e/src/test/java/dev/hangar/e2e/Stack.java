package dev.hangar.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Json;
import dev.hangar.kit.testing.StackCredentials;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The running local stack, reached the way a user or another service would. */
final class Stack {
    static final Path ROOT = Path.of(System.getProperty("hangar.root", "..")).toAbsolutePath().normalize();
    static final String GATEWAY = "http://127.0.0.1:8080";
    static final String BUCKET = "hangar-artifacts";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Stack() {}

    /** The outcome of one {@code bin/hangar} invocation. */
    record Result(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return Json.MAPPER.readTree(out);
        }

        /** Each NDJSON line on stderr, parsed. */
        List<JsonNode> ndjson() throws IOException {
            var lines = new ArrayList<JsonNode>();
            for (String line : err.split("\n")) {
                if (line.startsWith("{")) {
                    lines.add(Json.MAPPER.readTree(line));
                }
            }
            return lines;
        }
    }

    static Result hangar(String... args) throws Exception {
        return hangarWithInput(null, args);
    }

    static Result hangarWithInput(String stdin, String... args) throws Exception {
        return hangar(Map.of(), stdin, args);
    }

    /** bin/hangar with {@code env} added to this process's environment (where {@code sync-secrets} reads values). */
    static Result hangar(Map<String, String> env, String stdin, String... args) throws Exception {
        var command = new ArrayList<String>();
        command.add(ROOT.resolve("bin/hangar").toString());
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).directory(ROOT.toFile());
        builder.environment().putAll(env);
        var process = builder.start();
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        var out = process.inputReader().lines().reduce("", (a, b) -> a + b + "\n");
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("bin/hangar " + String.join(" ", args) + " did not finish");
        }
        var err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.exitValue(), out, err);
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A gateway request acting as the local stack's owner (the token `bin/stack` made). */
    static HttpRequest.Builder request(String path) throws IOException {
        return HttpRequest.newBuilder(URI.create(GATEWAY + path)).header("Authorization", "Bearer " + token());
    }

    static String token() throws IOException {
        return java.nio.file.Files.readString(ROOT.resolve(".local/keys/local-token")).strip();
    }

    static S3Client s3() {
        return S3Client.builder()
                .endpointOverride(URI.create("http://127.0.0.1:9000"))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local-access-key", "local-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    static KafkaProducer<String, String> producer() {
        var props = new Properties();
        props.putAll(StackCredentials.kafka());
        props.putAll(Map.of("acks", "all",
                "key.serializer", StringSerializer.class.getName(), "value.serializer", StringSerializer.class.getName()));
        return new KafkaProducer<>(props);
    }

    /**
     * Names of the containers Hangar started for runs that still exist: warm-pool containers
     * (label {@code dev.hangar.pool}) are the pool's, kept on purpose (a deployment, a warm
     * processor of an earlier test or the benchmark), and left out.
     */
    static List<String> managedContainers() throws Exception {
        var process = new ProcessBuilder("docker", "ps", "-a", "--filter", "label=dev.hangar.managed=true",
                "--format", "{{.Names}}\t{{.Label \"dev.hangar.pool\"}}").start();
        var out = process.inputReader().lines().filter(l -> !l.isBlank()).filter(l -> l.endsWith("\t"))
                .map(l -> l.substring(0, l.length() - 1)).toList();
        process.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    /** {@code docker ARGS...} (the classic builder: BuildKit needs a bridge); its output, or an exception naming the command. */
    static String docker(String... args) throws Exception {
        var command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DOCKER_BUILDKIT", "0");
        var process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** Creates those of the topics that do not exist yet (one partition each) on the stack's Kafka. */
    static void createTopics(String... names) throws Exception {
        createTopicsOn("127.0.0.1:9092", names);
    }

    /** As {@link #createTopics(String...)}, on the Kafka at {@code bootstrap} (a test's private broker). */
    static void createTopicsOn(String bootstrap, String... names) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(new java.util.HashMap<>(StackCredentials.kafka(bootstrap)))) {
            var existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            var missing = java.util.Arrays.stream(names).filter(n -> !existing.contains(n))
                    .map(n -> new org.apache.kafka.clients.admin.NewTopic(n, 1, (short) 1)).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(10, TimeUnit.SECONDS);
            }
        }
    }
}
