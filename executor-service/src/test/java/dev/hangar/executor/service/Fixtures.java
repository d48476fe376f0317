package dev.hangar.executor.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunRequested;
import dev.hangar.executor.config.ExecutorConfig;
import dev.hangar.executor.messaging.EventPublisher;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** Builders for the executor's tests: commands, specs, plans, config and a publisher that keeps what it sends. */
public final class Fixtures {
    public static final String REF = "tests/echo@1";
    public static final String DIGEST = "sha256:" + "a".repeat(64);

    private Fixtures() {}

    /** A client of the stack's S3 (MINIO_STORAGE_* as the executor reads them, else the local stack's). */
    public static S3Client stackS3() {
        return S3Client.builder()
                .endpointOverride(URI.create(System.getenv().getOrDefault("MINIO_STORAGE_ENDPOINT", "http://127.0.0.1:9000")))
                .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        System.getenv().getOrDefault("MINIO_STORAGE_ACCESS_KEY", "local-access-key"),
                        System.getenv().getOrDefault("MINIO_STORAGE_SECRET_KEY", "local-secret-key"))))
                .overrideConfiguration(o -> o.addExecutionInterceptor(new dev.hangar.executor.store.NoExpectContinue()))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** Executor settings as application.properties gives them, with a work folder of the test's choosing. */
    public record TestConfig(Path workDir, String id, Platform platform, String containerUser, Duration startTimeout,
                             long pidsLimit, String internalToken, Duration cancelGrace, int stderrTailLines)
            implements ExecutorConfig {

        public static TestConfig defaults(Path workDir) {
            return new TestConfig(workDir, "executor-test", Platform.AMD64, "10001:10001", Duration.ofSeconds(60), 256,
                    "test-internal-token", Duration.ofSeconds(2), 40);
        }

        public TestConfig withId(String executorId) {
            return new TestConfig(workDir, executorId, platform, containerUser, startTimeout, pidsLimit, internalToken, cancelGrace,
                    stderrTailLines);
        }

        public TestConfig withStderrTailLines(int lines) {
            return new TestConfig(workDir, id, platform, containerUser, startTimeout, pidsLimit, internalToken, cancelGrace, lines);
        }

        /** A default executor: no pool. */
        @Override
        public java.util.Optional<String> pool() {
            return java.util.Optional.empty();
        }

        @Override
        public Backend backend() {
            return Backend.DOCKER;
        }

        @Override
        public CapacityConfig capacity() {
            return new CapacityConfig() {
                @Override
                public java.util.Optional<Boolean> enforced() {
                    return java.util.Optional.empty();
                }

                @Override
                public java.util.Optional<Double> cpus() {
                    return java.util.Optional.empty();
                }

                @Override
                public java.util.Optional<Integer> memoryMb() {
                    return java.util.Optional.empty();
                }

                @Override
                public int gpus() {
                    return 0;
                }
            };
        }
    }

    /** Keeps every event in publish order; each is acknowledged at once. */
    /** Pauses of a few milliseconds, so retries are quick in tests. */
    public static final dev.hangar.executor.config.DeliveryConfig QUICK = new dev.hangar.executor.config.DeliveryConfig() {
        @Override
        public Duration retryInitial() {
            return Duration.ofMillis(5);
        }

        @Override
        public Duration retryMax() {
            return Duration.ofMillis(20);
        }

        @Override
        public Duration ackTimeout() {
            return Duration.ofSeconds(2);
        }

        @Override
        public Duration lease() {
            return Duration.ofSeconds(30);
        }
    };

    /**
     * Counts attempts as the gateway does: the next number per run, refused once the publisher
     * saw the run's terminal event or past {@code max_attempts}.
     */
    public static final class CountingAttempts implements Attempts {
        private final RecordingPublisher publisher;
        public final java.util.Map<String, Integer> counts = new java.util.concurrent.ConcurrentHashMap<>();

        public CountingAttempts(RecordingPublisher publisher) {
            this.publisher = publisher;
        }

        @Override
        public dev.hangar.contracts.AttemptClaim claim(String executionId, int maxAttempts) {
            if (publisher.events.stream().anyMatch(e -> e.executionId().equals(executionId) && e.event().type().terminal())) {
                throw new dev.hangar.contracts.HangarException(dev.hangar.contracts.ErrorCode.ERR_RUN_FINISHED, "ended");
            }
            int attempt = counts.merge(executionId, 1, Integer::sum);
            if (attempt > maxAttempts) {
                throw new dev.hangar.contracts.HangarException(dev.hangar.contracts.ErrorCode.ERR_ATTEMPTS_EXHAUSTED, "exhausted");
            }
            return new dev.hangar.contracts.AttemptClaim(executionId, attempt, maxAttempts, "executor-test");
        }
    }

    /** A RunService with quick retries and no real pauses, counting attempts in memory. */
    public static RunService service(RecordingPublisher publisher, dev.hangar.executor.client.RegistryClient registry,
                                     dev.hangar.executor.client.GatewaySecretsClient gateway, Iterable<RunAdapter> adapters) {
        return new RunService(publisher, registry, gateway, TestConfig.defaults(Path.of("/nonexistent")), adapters,
                new CountingAttempts(publisher), QUICK, pause -> { });
    }

    public static class RecordingPublisher extends EventPublisher {
        public final List<RunEvent> events = new CopyOnWriteArrayList<>();

        public RecordingPublisher() {
            super(null);
        }

        @Override
        public CompletableFuture<Void> publish(RunEvent event) {
            events.add(event);
            return CompletableFuture.completedFuture(null);
        }

        public List<RunEvent.Body> bodies() {
            return events.stream().map(RunEvent::event).toList();
        }

        public List<RunEvent.Type> types() {
            return events.stream().map(e -> e.event().type()).toList();
        }
    }

    /** A well-formed command for {@link #REF}, changed by {@code edit} (snake_case wire fields). */
    public static RunRequested command(String executionId, Consumer<ObjectNode> edit) {
        ObjectNode node = Json.MAPPER.createObjectNode()
                .put("schema_version", RunRequested.SCHEMA_VERSION)
                .put("execution_id", executionId)
                .put("attempt", 1)
                .put("ref", REF);
        edit.accept(node);
        return Json.read(node.toString(), RunRequested.class).requireWellFormed();
    }

    public static RunRequested command(String executionId) {
        return command(executionId, n -> { });
    }

    /** A spec pinned for amd64 only, accepting any JSON object. */
    public static ProcessorSpec spec(String image, List<String> secrets) {
        return new ProcessorSpec(ProcessorRef.parse(REF), "a test processor", image, Map.of(Platform.AMD64.wire(), DIGEST),
                new ProcessorSpec.Resources(0.5, 256, 0, 60), secrets, json("{\"type\":\"object\"}"), List.of());
    }

    public static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** An active run as RunService makes it, planned with {@code plan}. */
    public static ActiveRun activeRun(RunRequested command, EventPublisher publisher, RunPlan plan) {
        var run = new ActiveRun(command, publisher, Platform.AMD64);
        if (plan != null) {
            run.planned(plan);
        }
        return run;
    }

    /** Cancels a run as a control record would. */
    public static void cancel(ActiveRun run) {
        run.cancel();
    }
}
