package dev.hangar.executor.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ActiveRunTest {
    private final Fixtures.RecordingPublisher publisher = new Fixtures.RecordingPublisher();

    private static RunPlan plan(Map<String, String> secrets) {
        var spec = Fixtures.spec("127.0.0.1:5000/tests/echo", List.copyOf(secrets.keySet()));
        return new RunPlan(spec, spec.pinnedImage(Platform.AMD64), "/artifacts/outputs/x/", Fixtures.json("{}"), secrets.isEmpty(),
                new ProcessorSpec.Resources(1.0, 512, 0, 30), Map.of(), secrets, false);
    }

    @Test
    void eventsAreNumberedFromOneInEmitOrderAndCarryTheCommandsIds() {
        var command = Fixtures.command("run-seq-0001", n -> n.put("attempt", 2).put("traceparent",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        var run = Fixtures.activeRun(command, publisher, plan(Map.of()));

        run.emit(new RunEvent.Log("stdout", "one"));
        run.emit(new RunEvent.Token("two"));
        run.emit(new RunEvent.Progress(0.5, null));

        assertEquals(List.of(1L, 2L, 3L), publisher.events.stream().map(RunEvent::seq).toList());
        assertEquals(List.of(RunEvent.Type.LOG, RunEvent.Type.TOKEN, RunEvent.Type.PROGRESS), publisher.types());
        for (RunEvent e : publisher.events) {
            assertEquals("run-seq-0001", e.executionId());
            assertEquals(2, e.attempt());
            assertEquals(command.traceparent(), e.traceparent());
        }
    }

    @Test
    void secretsNeverLeaveInLogLinesMessagesOrTails() {
        var run = Fixtures.activeRun(Fixtures.command("run-redact-01", n -> n.put("mode", Mode.REAL.wire())), publisher,
                plan(Map.of("API_KEY", "sk-live-123456")));

        run.emit(new RunEvent.Log("stderr", "calling with sk-live-123456"));
        var envelope = run.error(ErrorCode.ERR_PROCESSOR_FAILED, "bad key sk-live-123456", "Traceback\nKeyError: sk-live-123456");

        assertEquals(new RunEvent.Log("stderr", "calling with " + Redactor.MASK), publisher.bodies().get(0));
        assertEquals("bad key " + Redactor.MASK, envelope.error().message());
        assertEquals("Traceback\nKeyError: " + Redactor.MASK, envelope.error().stderrTail());
    }

    @Test
    void metaDescribesHowTheRunWent() {
        var command = Fixtures.command("run-meta-0001", n -> n.put("created_at", Instant.now().minusSeconds(2).toString())
                .put("plan", "team"));
        var run = Fixtures.activeRun(command, publisher, plan(Map.of()));
        run.ranImage(Fixtures.DIGEST, "sha256:" + "f".repeat(64));

        var out = new OutputRef("/artifacts/outputs/x/output.json", "sha256:" + "b".repeat(64), 3, "application/json");
        var envelope = run.success(List.of(out), "/artifacts/outputs/x/outputs.json");

        assertEquals(RunStatus.SUCCESS, envelope.status());
        assertEquals("run-meta-0001", envelope.executionId());
        assertEquals(List.of(out), envelope.outputs());
        assertEquals("/artifacts/outputs/x/outputs.json", envelope.indexPath());
        var meta = envelope.meta();
        assertEquals(Fixtures.REF, meta.ref());
        assertEquals(Adapter.LOCAL, meta.adapter(), "a command that names no adapter runs locally");
        assertEquals(Mode.MOCK, meta.mode(), "a command that names no mode is mock");
        assertEquals(Platform.AMD64, meta.platform(), "a command that names no platform gets the host's");
        assertEquals(1, meta.attempt());
        assertEquals(Fixtures.DIGEST, meta.imageDigest());
        assertEquals("sha256:" + "f".repeat(64), meta.envFingerprint());
        assertTrue(meta.queueMs() >= 1_900, "queued since created_at: " + meta.queueMs());
        assertTrue(meta.durationMs() >= 0);
        assertNotNull(meta.cost(), "a planned run has limits, so a cost");
        assertEquals("team", meta.plan());
    }

    @Test
    void theCommandsPlatformWinsOverTheHostDefault() {
        var run = Fixtures.activeRun(Fixtures.command("run-plat-0001", n -> n.put("platform", Platform.ARM64.wire())), publisher, null);
        assertEquals(Platform.ARM64, run.platform());
        assertEquals(Platform.ARM64, run.error(ErrorCode.ERR_INTERNAL, "x", null).meta().platform());
    }

    @Test
    void aCanceledErrorIsACanceledEnvelope() {
        var run = Fixtures.activeRun(Fixtures.command("run-canc-0001"), publisher, null);
        assertEquals(RunStatus.CANCELED, run.error(ErrorCode.ERR_CANCELED, "the run was canceled", null).status());
        assertEquals(RunStatus.ERROR, run.error(ErrorCode.ERR_TIMEOUT, "late", null).status());
    }

    @Test
    void aCancelBeforeTheAdapterIsReadyStillReachesIt() {
        var run = Fixtures.activeRun(Fixtures.command("run-canc-0002"), publisher, null);
        var stops = new AtomicInteger();

        Fixtures.cancel(run);
        assertTrue(run.canceled());
        run.onCancel(stops::incrementAndGet);

        assertEquals(1, stops.get(), "registering the stop action after the cancel runs it at once");
    }

    @Test
    void aCancelDuringTheRunCallsTheAdaptersStopAction() {
        var run = Fixtures.activeRun(Fixtures.command("run-canc-0003"), publisher, null);
        var stops = new AtomicInteger();
        run.onCancel(stops::incrementAndGet);
        assertFalse(run.canceled());
        assertEquals(0, stops.get());

        Fixtures.cancel(run);

        assertTrue(run.canceled());
        assertEquals(1, stops.get());
    }
}
