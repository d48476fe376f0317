package dev.hangar.executor.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.ContentId;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.executor.service.ActiveRun;
import dev.hangar.executor.service.Fixtures;
import dev.hangar.executor.service.RunPlan;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Two runs compare by env_fingerprint: equal when what shapes the result is equal. */
class FingerprintTest {
    private final Fixtures.RecordingPublisher publisher = new Fixtures.RecordingPublisher();

    private static RunPlan plan(String digest, ProcessorSpec.Resources runtime) {
        var base = Fixtures.spec("127.0.0.1:5000/tests/echo", List.of());
        var spec = new ProcessorSpec(base.ref(), base.description(), base.image(), Map.of(Platform.AMD64.wire(), digest),
                runtime, base.secrets(), base.inputsSchema(), base.outputs());
        return new RunPlan(spec, spec.pinnedImage(Platform.AMD64), "/artifacts/outputs/x/", Fixtures.json("{}"), true,
                runtime, Map.of(), Map.of(), false);
    }

    private ActiveRun run(String id, Mode mode, Platform platform) {
        return Fixtures.activeRun(Fixtures.command(id, n -> n.put("mode", mode.wire()).put("platform", platform.wire())), publisher, null);
    }

    @Test
    void theSameImageModePlatformAndLimitsGiveTheSameFingerprintWhateverTheRun() {
        var limits = new ProcessorSpec.Resources(0.5, 256, 0, 60);
        String a = Fingerprint.of(plan(Fixtures.DIGEST, limits), run("fp-run-00001", Mode.MOCK, Platform.AMD64));
        String b = Fingerprint.of(plan(Fixtures.DIGEST, limits), run("fp-run-00002", Mode.MOCK, Platform.AMD64));

        assertEquals(a, b, "the execution id is not part of it");
        assertTrue(ContentId.isValid(a), a);
    }

    @Test
    void eachThingThatShapesTheResultChangesIt() {
        var limits = new ProcessorSpec.Resources(0.5, 256, 0, 60);
        String base = Fingerprint.of(plan(Fixtures.DIGEST, limits), run("fp-run-00003", Mode.MOCK, Platform.AMD64));

        assertNotEquals(base, Fingerprint.of(plan("sha256:" + "e".repeat(64), limits), run("fp-run-00004", Mode.MOCK, Platform.AMD64)));
        assertNotEquals(base, Fingerprint.of(plan(Fixtures.DIGEST, limits), run("fp-run-00005", Mode.REAL, Platform.AMD64)));
        assertNotEquals(base, Fingerprint.of(plan(Fixtures.DIGEST, limits), run("fp-run-00006", Mode.MOCK, Platform.ARM64)));
        assertNotEquals(base, Fingerprint.of(plan(Fixtures.DIGEST, new ProcessorSpec.Resources(0.5, 512, 0, 60)),
                run("fp-run-00007", Mode.MOCK, Platform.AMD64)));
    }
}
