package dev.hangar.executor.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.RunStatus;
import dev.hangar.contracts.SecretValue;
import dev.hangar.executor.client.RegistryClient;
import dev.hangar.executor.config.ExecutorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A pool executor (docs/remote.md): remote runs go to this host's engine (backend docker), a GPU
 * run on a host without GPUs is refused with ERR_NO_CAPACITY before any container, and a run
 * that fits takes its share of the host while it runs.
 */
class RunServicePoolTest {
    private final Fixtures.RecordingPublisher publisher = new Fixtures.RecordingPublisher();
    private ProcessorSpec spec = Fixtures.spec(RunServiceTest.IMAGE, List.of());
    private final RunServiceTest.FakeAdapter local = new RunServiceTest.FakeAdapter(Adapter.LOCAL);
    private final Capacity capacity = new Capacity(true, new Capacity.Needs(2, 2048, 0), "pool 'cpu-b' (executor cpu-b-1)",
            Duration.ofMillis(50));

    /** A proxy, not a class: a class implementing the REST client interface would be a second endpoint to Quarkus' tests. */
    private final RegistryClient registry = (RegistryClient) java.lang.reflect.Proxy.newProxyInstance(
            RegistryClient.class.getClassLoader(), new Class<?>[] {RegistryClient.class}, (proxy, method, args) -> {
                if (method.getName().equals("get")) {
                    return spec;
                }
                throw new UnsupportedOperationException(method.getName());
            });

    private RunService service(ExecutorConfig config) {
        return new RunService(publisher, registry, (token, lookup) -> new SecretValue.Values(java.util.Map.of()), config,
                List.of(local), new Fixtures.CountingAttempts(publisher), Fixtures.QUICK, pause -> { }).withCapacity(capacity);
    }

    private Envelope remote(RunService service, String id, String opts) {
        return service.execute(Fixtures.command(id, n -> n.put("adapter", Adapter.REMOTE.wire())
                .set("adapter_opts", Fixtures.json(opts))));
    }

    @Test
    void aRemoteRunOnADockerPoolExecutorRunsOnThisHostsEngineHoldingItsShare() {
        var free = new java.util.ArrayList<Capacity.Needs>();
        local.answer = (plan, run) -> {
            free.add(capacity.free());
            return run.success(List.of(), plan.writePrefix() + "outputs.json");
        };
        var envelope = remote(service(pool("cpu-b")), "pool-run-0001", "{\"pool\":\"cpu-b\",\"cpu\":1.5,\"memory_mb\":1024}");

        assertEquals(RunStatus.SUCCESS, envelope.status());
        assertEquals(Adapter.REMOTE, local.runs.getFirst().adapter(), "the run stays a remote run in its events");
        assertEquals(List.of(new Capacity.Needs(0.5, 1024, 0)), free, "it held 1.5 CPUs and 1024 MiB while it ran");
        assertEquals(new Capacity.Needs(2, 2048, 0), capacity.free(), "and gave them back");
    }

    @Test
    void aGpuRunOnAPoolWithoutGpusIsRefusedWithNoCapacityBeforeAnyContainer() {
        var envelope = remote(service(pool("cpu-b")), "pool-gpu-0001", "{\"pool\":\"cpu-b\",\"gpus\":1}");

        assertEquals(ErrorCode.ERR_NO_CAPACITY, envelope.error().code());
        assertTrue(envelope.error().message().contains("has no GPU"), envelope.error().message());
        assertTrue(envelope.error().message().contains("pool 'cpu-b'"), envelope.error().message());
        assertTrue(local.plans.isEmpty(), "no container was started");
        assertEquals(1, publisher.events.stream().filter(e -> e.event().type().terminal()).count(), "one terminal event, not retried");
    }

    @Test
    void anExecutorWithoutAPoolStillRefusesRemote() {
        var envelope = remote(service(Fixtures.TestConfig.defaults(Path.of("/nonexistent"))), "pool-none-001", "{}");

        assertEquals(ErrorCode.ERR_ADAPTER_UNAVAILABLE, envelope.error().code());
        assertTrue(envelope.error().message().contains("HANGAR_EXECUTOR_POOL"), envelope.error().message());
        assertTrue(local.plans.isEmpty());
    }

    @Test
    void aSlurmPoolExecutorWithoutItsBackendRefusesRemoteRatherThanRunItHere() {
        var envelope = remote(service(pool("hpc", ExecutorConfig.Backend.SLURM)), "pool-slurm-01", "{}");

        assertEquals(ErrorCode.ERR_ADAPTER_UNAVAILABLE, envelope.error().code());
        assertTrue(envelope.error().message().contains("backend slurm"), envelope.error().message());
        assertTrue(local.plans.isEmpty());
    }

    static ExecutorConfig pool(String pool) {
        return pool(pool, ExecutorConfig.Backend.DOCKER);
    }

    /** The test defaults, serving {@code pool}. */
    static ExecutorConfig pool(String pool, ExecutorConfig.Backend backend) {
        var base = Fixtures.TestConfig.defaults(Path.of("/nonexistent"));
        return (ExecutorConfig) java.lang.reflect.Proxy.newProxyInstance(ExecutorConfig.class.getClassLoader(),
                new Class<?>[] {ExecutorConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "pool" -> Optional.of(pool);
                    case "backend" -> backend;
                    default -> method.invoke(base, args);
                });
    }
}
