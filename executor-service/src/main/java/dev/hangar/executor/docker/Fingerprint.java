package dev.hangar.executor.docker;

import dev.hangar.contracts.ContentId;
import dev.hangar.executor.service.ActiveRun;
import dev.hangar.executor.service.RunPlan;
import java.nio.charset.StandardCharsets;

/** A digest of everything that shapes a run's result besides its inputs: image, mode, platform, limits. */
public final class Fingerprint {
    private Fingerprint() {}

    public static String of(RunPlan plan, ActiveRun run) {
        var r = plan.spec().runtime();
        String text = String.join("|", plan.digest(), run.mode().wire(), run.platform().wire(), run.adapter().wire(),
                String.valueOf(r.cpu()), String.valueOf(r.memoryMb()), String.valueOf(r.gpus()), "runtime-protocol-1");
        return ContentId.of(text.getBytes(StandardCharsets.UTF_8));
    }
}
