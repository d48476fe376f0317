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

    private final RunService service = new RunService(publisher, registry, gateway,
            Fixtures.TestConfig.defaults(Path.of("/nonexistent")), List.of(local));

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
    void aRedeliveredCommandRunsOnceAndANewAttemptRunsAgain() {
        assertEquals(RunStatus.SUCCESS, run("svc-redo-0001", n -> { }).status());
        assertNull(run("svc-redo-0001", n -> { }), "the same (execution_id, attempt) is ignored");
        assertEquals(RunStatus.SUCCESS, run("svc-redo-0001", n -> n.put("attempt", 2)).status());

        assertEquals(2, local.plans.size());
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
        var broken = new RunService(publisher, new RegistryClient() {
            @Override
            public ProcessorSpec get(String ns, String name, int version) {
                throw new jakarta.ws.rs.ProcessingException("connection refused");
            }

            @Override
            public LocalBuild latestBuild(String ns, String name, int version) {
                throw new UnsupportedOperationException();
            }
        }, gateway, Fixtures.TestConfig.defaults(Path.of("/nonexistent")), List.of(local));

        assertEquals(ErrorCode.ERR_UNAVAILABLE, broken.execute(Fixtures.command("svc-down-0001")).error().code());
    }
}
