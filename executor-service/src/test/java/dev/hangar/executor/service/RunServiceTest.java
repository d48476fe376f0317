package dev.hangar.executor.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.LocalBuild;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunStatus;
import dev.hangar.contracts.SecretValue;
import dev.hangar.executor.client.GatewaySecretsClient;
import dev.hangar.executor.client.RegistryClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** What RunService decides before any container exists: the plan, the refusals, the one terminal event. */
class RunServiceTest {
    static final String IMAGE = "127.0.0.1:5000/tests/echo";

    private final Fixtures.RecordingPublisher publisher = new Fixtures.RecordingPublisher();
    private final List<SecretValue.Lookup> lookups = new ArrayList<>();
    private Map<String, String> storedSecrets = Map.of();
    private ProcessorSpec spec = Fixtures.spec(IMAGE, List.of());
    private final FakeAdapter local = new FakeAdapter(Adapter.LOCAL);

    /** An adapter that records the plan it got and answers as told (success by default). */
    static final class FakeAdapter implements RunAdapter {
        final Adapter name;
        final List<RunPlan> plans = new ArrayList<>();
        final List<ActiveRun> runs = new ArrayList<>();
        BiFunction<RunPlan, ActiveRun, Envelope> answer = (plan, run) -> run.success(List.of(), plan.writePrefix() + "outputs.json");

        FakeAdapter(Adapter name) {
            this.name = name;
        }

        @Override
        public Adapter name() {
            return name;
        }

        @Override
        public Envelope execute(RunPlan plan, ActiveRun run) {
            plans.add(plan);
            runs.add(run);
            return answer.apply(plan, run);
        }
    }

    private final RegistryClient registry = new RegistryClient() {
        @Override
        public ProcessorSpec get(String ns, String name, int version) {
            return spec;
        }

        @Override
        public LocalBuild latestBuild(String ns, String name, int version) {
            return new LocalBuild("127.0.0.1:5000/tests/echo:dev-1", "sha256:" + "c".repeat(64), null);
        }
    };

    private final GatewaySecretsClient gateway = (token, lookup) -> {
        lookups.add(lookup);
        return new SecretValue.Values(storedSecrets);
    };

    private final RunService service = Fixtures.service(publisher, registry, gateway, List.of(local));

    private Envelope run(String id, java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> edit) {
        return service.execute(Fixtures.command(id, edit));
    }

    @Test
    void aMockRunIsPlannedFromTheSpecAndEndsInOneTerminalEvent() {
        spec = Fixtures.spec(IMAGE, List.of("API_KEY"));

        var envelope = run("svc-mock-0001", n -> n.put("timeout_seconds", 7).set("adapter_opts",
                Fixtures.json("{\"memory_mb\":128,\"keep_container\":true}")));

        assertEquals(RunStatus.SUCCESS, envelope.status());
        var plan = local.plans.getFirst();
        assertTrue(plan.mock());
        assertEquals(IMAGE + "@" + Fixtures.DIGEST, plan.image(), "pinned for the host's platform");
        assertEquals("/artifacts/outputs/tests-echo-v1/svc-mock-0001/", plan.writePrefix());
        assertEquals(new ProcessorSpec.Resources(0.5, 128, 0, 7), plan.limits(), "adapter_opts and the run timeout override the spec");
        assertTrue(plan.keepContainer());
        assertEquals(Map.of(), plan.secrets(), "mock runs never receive secrets");
        assertTrue(lookups.isEmpty(), "nor ask the gateway for them");
        var terminal = publisher.events.getLast();
        assertEquals(new RunEvent.Completed(envelope), terminal.event());
        assertEquals(1, publisher.events.stream().filter(e -> e.event().type().terminal()).count());
    }

    @Test
    void aRealRunGetsTheSpecsSecretsFromTheGateway() {
        spec = Fixtures.spec(IMAGE, List.of("API_KEY"));
        storedSecrets = Map.of("API_KEY", "sk-test-0123456789");

        run("svc-real-0001", n -> n.put("mode", Mode.REAL.wire()));

        assertEquals(List.of(new SecretValue.Lookup("svc-real-0001", List.of("API_KEY"))), lookups);
        var plan = local.plans.getFirst();
        assertEquals(Map.of("API_KEY", "sk-test-0123456789"), plan.secrets());
        assertTrue(!plan.mock());
    }

    @Test
    void aRealRunWithoutItsSecretDoesNotStart() {
        spec = Fixtures.spec(IMAGE, List.of("API_KEY", "OTHER_KEY"));
        storedSecrets = Map.of("API_KEY", "sk-test-0123456789");

        var envelope = run("svc-real-0002", n -> n.put("mode", Mode.REAL.wire()));

        assertEquals(ErrorCode.ERR_MISSING_SECRET, envelope.error().code());
        assertTrue(envelope.error().message().contains("OTHER_KEY"), envelope.error().message());
        assertTrue(local.plans.isEmpty());
        assertInstanceOf(RunEvent.Failed.class, publisher.events.getLast().event());
    }

    @Test
    void aCommandPinnedToAnotherImageIsRefused() {
        var envelope = run("svc-pin-00001", n -> n.put("image", IMAGE + "@sha256:" + "d".repeat(64)));

        assertEquals(ErrorCode.ERR_REGISTRY_MISMATCH, envelope.error().code());
        assertTrue(local.plans.isEmpty());
    }

    @Test
    void aPlatformWithoutAPinIsRefusedAndAPinnedOneGoesToTheAdapterWhichChecksTheHost() {
        assertEquals(ErrorCode.ERR_IMAGE_UNPINNED, run("svc-plat-0001", n -> n.put("platform", Platform.ARM64.wire())).error().code());

        spec = new ProcessorSpec(spec.ref(), spec.description(), IMAGE, Map.of(Platform.ARM64.wire(), Fixtures.DIGEST),
                spec.runtime(), spec.secrets(), spec.inputsSchema(), spec.outputs());
        run("svc-plat-0002", n -> n.put("platform", Platform.ARM64.wire()));

        assertEquals(Platform.ARM64, local.runs.getFirst().platform(), "the host check is the adapter's, not RunService's");
    }

    @Test
    void aBuildRunUsesTheNewestLocalBuild() {
        run("svc-build-001", n -> n.put("build", true));

        assertEquals("sha256:" + "c".repeat(64), local.plans.getFirst().image());
    }

    @Test
    void anAdapterThatIsNotHereIsNamedInTheError() {
        var envelope = run("svc-remote-01", n -> n.put("adapter", Adapter.REMOTE.wire()));

        assertEquals(ErrorCode.ERR_ADAPTER_UNAVAILABLE, envelope.error().code());
        assertTrue(envelope.error().message().contains("no remote backend is configured"), envelope.error().message());
        assertTrue(envelope.error().message().contains("(available: " + Adapter.LOCAL.wire() + ")"), envelope.error().message());
    }

    @Test
    void inputsAreCheckedAgainstTheSpecsSchema() {
        spec = new ProcessorSpec(spec.ref(), spec.description(), IMAGE, spec.digests(), spec.runtime(), spec.secrets(),
                Fixtures.json("{\"type\":\"object\",\"required\":[\"text\"]}"), spec.outputs());

        assertEquals(ErrorCode.ERR_INPUT_INVALID, run("svc-input-001", n -> { }).error().code());
        assertTrue(local.plans.isEmpty());
    }

    @Test
    void aRedeliveredCommandOfAFinishedRunIsDroppedAndRunsNothing() {
        assertEquals(RunStatus.SUCCESS, run("svc-redo-0001", n -> { }).status());
        assertNull(run("svc-redo-0001", n -> { }), "the gateway says the run has ended");

        assertEquals(1, local.plans.size());
        assertEquals(1, publisher.events.stream().filter(e -> e.event().type().terminal()).count());
    }

    @Test
    void aRedeliveryOfARunThatEndedHereIsDroppedWithoutAskingTheGateway() {
        var attempts = new Fixtures.CountingAttempts(new Fixtures.RecordingPublisher()); // a gateway that has not seen the envelope yet
        var service = new RunService(publisher, registry, gateway, Fixtures.TestConfig.defaults(Path.of("/nonexistent")),
                List.of(local), attempts, Fixtures.QUICK, pause -> { });

        assertEquals(RunStatus.SUCCESS, service.execute(Fixtures.command("svc-redo-0002")).status());
        assertNull(service.execute(Fixtures.command("svc-redo-0002")));

        assertEquals(1, local.plans.size());
        assertEquals(1, attempts.counts.get("svc-redo-0002"), "no second attempt was claimed");
    }

    @Test
    void anInfrastructureFailureIsAttemptedAgainAndOnlyTheLastAttemptsEnvelopeIsPublished() {
        spec = withRetry(new ProcessorSpec.Retry(3, 0));
        local.answer = (plan, run) -> run.command().attempt() < 2
                ? run.error(ErrorCode.ERR_CONTAINER_FAILED, "the container exited with code 137 before answering", "tail")
                : run.success(List.of(), plan.writePrefix() + "outputs.json");

        var envelope = run("svc-retry-001", n -> { });

        assertEquals(RunStatus.SUCCESS, envelope.status());
        assertEquals(2, envelope.meta().attempt());
        assertEquals(List.of(1, 2), local.runs.stream().map(r -> r.command().attempt()).toList());
        var terminals = publisher.events.stream().filter(e -> e.event().type().terminal()).toList();
        assertEquals(1, terminals.size(), "one terminal event for the run");
        assertEquals(2, terminals.getFirst().attempt());
        assertTrue(publisher.events.stream().anyMatch(e -> e.attempt() == 1 && e.event() instanceof RunEvent.Log l
                && l.line().contains("attempt 1 of 3 failed (ERR_CONTAINER_FAILED")), "the failed attempt says why it is retried");
    }

    @Test
    void pastThePolicyTheRunFailsWithAttemptsExhaustedAndAProcessorErrorIsNeverRetried() {
        spec = withRetry(new ProcessorSpec.Retry(2, 0));
        local.answer = (plan, run) -> run.error(ErrorCode.ERR_CONTAINER_FAILED, "the container exited with code 1", "tail");

        var envelope = run("svc-retry-002", n -> { });

        assertEquals(ErrorCode.ERR_ATTEMPTS_EXHAUSTED, envelope.error().code());
        assertTrue(envelope.error().message().contains("used all 2 attempt(s)"), envelope.error().message());
        assertTrue(envelope.error().message().contains("ERR_CONTAINER_FAILED: the container exited with code 1"));
        assertEquals("tail", envelope.error().stderrTail());
        assertEquals(2, envelope.meta().attempt());

        local.answer = (plan, run) -> run.error(ErrorCode.ERR_PROCESSOR_FAILED, "the processor failed: boom", null);
        assertEquals(ErrorCode.ERR_PROCESSOR_FAILED, run("svc-retry-003", n -> { }).error().code());
        assertEquals(1, local.runs.stream().filter(r -> r.executionId().equals("svc-retry-003")).count());
    }

    @Test
    void aClaimRefusedPastThePolicyEndsTheRunUnderTheNextAttemptNumber() {
        spec = withRetry(new ProcessorSpec.Retry(1, 0));
        var attempts = new Fixtures.CountingAttempts(publisher);
        attempts.counts.put("svc-lost-0001", 1); // attempt 1 was lost with its executor
        var service = new RunService(publisher, registry, gateway, Fixtures.TestConfig.defaults(Path.of("/nonexistent")),
                List.of(local), attempts, Fixtures.QUICK, pause -> { });

        var envelope = service.execute(Fixtures.command("svc-lost-0001"));

        assertEquals(ErrorCode.ERR_ATTEMPTS_EXHAUSTED, envelope.error().code());
        assertTrue(envelope.error().message().contains("their executors were lost"), envelope.error().message());
        assertEquals(2, envelope.meta().attempt());
        assertEquals(2, publisher.events.getLast().attempt());
        assertTrue(local.plans.isEmpty(), "nothing runs");
    }

    @Test
    void aTerminalEventTheBrokerDoesNotAcknowledgeIsSentAgainUnderTheSameNumber() {
        var flaky = new Fixtures.RecordingPublisher() {
            int failures = 3;

            @Override
            public java.util.concurrent.CompletableFuture<Void> publish(RunEvent event) {
                super.publish(event);
                if (event.event().type().terminal() && failures-- > 0) {
                    return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("broker down"));
                }
                return java.util.concurrent.CompletableFuture.completedFuture(null);
            }
        };
        var service = Fixtures.service(flaky, registry, gateway, List.of(local));

        assertEquals(RunStatus.SUCCESS, service.execute(Fixtures.command("svc-publ-0001")).status());

        var terminals = flaky.events.stream().filter(e -> e.event().type().terminal()).toList();
        assertEquals(4, terminals.size(), "three refused sends, then the acknowledged one");
        assertEquals(1, terminals.stream().map(e -> e.attempt() + "/" + e.seq()).distinct().count(),
                "every copy has the same (attempt, seq), so the gateway keeps one");
    }

    private ProcessorSpec withRetry(ProcessorSpec.Retry retry) {
        return new ProcessorSpec(spec.ref(), spec.description(), spec.image(), spec.digests(), spec.runtime(), spec.secrets(),
                spec.inputsSchema(), spec.outputs(), spec.network(), retry);
    }

    @Test
    void aCancelThatArrivesBeforeTheCommandEndsItCanceled() {
        service.cancel("svc-canc-0001");

        var envelope = run("svc-canc-0001", n -> { });

        assertEquals(RunStatus.CANCELED, envelope.status());
        assertEquals(ErrorCode.ERR_CANCELED, envelope.error().code());
        assertTrue(local.plans.isEmpty());
        assertInstanceOf(RunEvent.Canceled.class, publisher.events.getLast().event());
    }

    @Test
    void aCancelDuringTheRunReachesTheActiveRun() {
        local.answer = (plan, run) -> {
            service.cancel(run.executionId());
            return run.canceled() ? run.error(ErrorCode.ERR_CANCELED, "the run was canceled", null) : run.success(List.of(), "x");
        };

        assertEquals(RunStatus.CANCELED, run("svc-canc-0002", n -> { }).status());
    }

    @Test
    void anUnexpectedFailureIsAnInternalErrorWithoutItsDetails() {
        local.answer = (plan, run) -> {
            throw new IllegalStateException("boom at line 42");
        };

        var envelope = run("svc-boom-0001", n -> { });

        assertEquals(ErrorCode.ERR_INTERNAL, envelope.error().code());
        assertEquals("internal error in executor executor-test; see its log", envelope.error().message());
    }

    @Test
    void anUnreachableRegistryIsUnavailable() {
        var broken = Fixtures.service(publisher, new RegistryClient() {
            @Override
            public ProcessorSpec get(String ns, String name, int version) {
                throw new jakarta.ws.rs.ProcessingException("connection refused");
            }

            @Override
            public LocalBuild latestBuild(String ns, String name, int version) {
                throw new UnsupportedOperationException();
            }
        }, gateway, List.of(local));

        var envelope = broken.execute(Fixtures.command("svc-down-0001"));
        assertEquals(ErrorCode.ERR_ATTEMPTS_EXHAUSTED, envelope.error().code(), "an unreachable dependency is retried per policy");
        assertTrue(envelope.error().message().contains("ERR_UNAVAILABLE"), envelope.error().message());
        assertEquals(3, envelope.meta().attempt(), "the default policy allows 3 attempts");
    }

    @Test
    void aCachedSpecServesAStreamOfRunsAndARepinnedImageIsReadAfresh() {
        var reads = new java.util.concurrent.atomic.AtomicInteger();
        String other = "sha256:" + "b".repeat(64);
        RegistryClient counting = new RegistryClient() {
            @Override
            public ProcessorSpec get(String ns, String name, int version) {
                reads.incrementAndGet();
                return spec;
            }

            @Override
            public LocalBuild latestBuild(String ns, String name, int version) {
                return registry.latestBuild(ns, name, version);
            }
        };
        var service = new RunService(publisher, counting, gateway, Fixtures.TestConfig.defaults(Path.of("/nonexistent")),
                List.of(local), new Fixtures.CountingAttempts(publisher), Fixtures.QUICK, pause -> { }, java.time.Duration.ofMinutes(5));
        spec = Fixtures.spec(IMAGE, List.of());
        for (int i = 0; i < 5; i++) {
            String id = "svc-cache-000" + i;
            assertEquals(RunStatus.SUCCESS, service.execute(Fixtures.command(id, n -> n.put("image", IMAGE + "@" + Fixtures.DIGEST))).status());
        }
        assertEquals(1, reads.get(), "five runs, one registry read");

        spec = spec.withDigest(dev.hangar.contracts.Platform.AMD64, other); // push --override
        var repinned = service.execute(Fixtures.command("svc-cache-0010", n -> n.put("image", IMAGE + "@" + other)));
        assertEquals(RunStatus.SUCCESS, repinned.status(), String.valueOf(repinned.error()));
        assertEquals(IMAGE + "@" + other, local.plans.getLast().image(), "the new pin runs at once, not after the TTL");
        assertEquals(2, reads.get());
        var stale = service.execute(Fixtures.command("svc-cache-0011", n -> n.put("image", IMAGE + "@" + Fixtures.DIGEST)));
        assertEquals(ErrorCode.ERR_REGISTRY_MISMATCH, stale.error().code(), "the old pin is refused, on the registry's word");
        assertEquals(3, reads.get());
    }
}
