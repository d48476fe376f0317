package dev.hangar.executor.docker;

import dev.hangar.contracts.ContentId;
import dev.hangar.contracts.Mode;
import dev.hangar.executor.service.RunPlan;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;

/**
 * Which runs may share a warm container: the same image (by digest), mode and owner ({@value #ANY}
 * where the spec's scope is {@code shared}, mock mode only), and the same container settings
 * (limits, egress allow-list, warm block; in real mode the secret values, so a changed secret
 * gets a new container). {@code settings} is a digest of those; {@link #label()} names the pool.
 * Where the spec's scope is {@code session}, {@code session} is the command's training session:
 * each session has a group of its own (max_warm 1), so its calls reach the process holding its
 * state (docs/training-sessions.md); elsewhere it is null.
 */
record WarmKey(String image, Mode mode, String owner, String settings, String session) {
    static final String ANY = "*";
    /** Keeps the digest of secret values from being guessed offline from a container label. */
    private static final String SALT = salt();

    /** The key of a plan's run, or null when it has no warm container to go to (see docs/warm-pool.md). */
    static WarmKey of(RunPlan plan, Mode mode, String owner) {
        return of(plan, mode, owner, null);
    }

    /** The key of a training session's run ({@code session} is the command's; null for any other run). */
    static WarmKey of(RunPlan plan, Mode mode, String owner, String session) {
        var warm = plan.spec().warmPool();
        if (!warm.enabled() || plan.keepContainer() || (owner == null && (mode == Mode.REAL || !warm.shared()))) {
            return null;
        }
        if (warm.perSession() && session == null) {
            return null; // a session processor's run of no session keeps no state: cold
        }
        String who = mode == Mode.MOCK && warm.shared() ? ANY : owner;
        var limits = plan.limits();
        String text = String.join("|", SALT, String.valueOf(limits.cpu()), String.valueOf(limits.memoryMb()),
                String.valueOf(plan.spec().egress().allow()), String.valueOf(warm),
                mode == Mode.REAL ? String.valueOf(new TreeMap<>(plan.secrets())) : "");
        return new WarmKey(plan.image(), mode, who, ContentId.of(text.getBytes(StandardCharsets.UTF_8)),
                warm.perSession() ? session : null);
    }

    private static String salt() {
        byte[] bytes = new byte[16];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    /** A short name for labels and folders (no owner name or secret in it). */
    String label() {
        return RunFolders.shortName(image + "|" + mode.wire() + "|" + owner + "|" + settings + (session == null ? "" : "|" + session));
    }

    @Override
    public String toString() {
        return "WarmKey[" + image + ", " + mode.wire() + ", owner " + owner + (session == null ? "" : ", session " + session)
                + ", " + label() + "]";
    }
}
