package dev.hangar.gateway.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;

/**
 * How many runs each owner may have dispatched and unfinished: {@code owner-max-active}, or the
 * owner's entry in {@code owner-overrides}. Both are checked when the gateway starts, so a typo
 * stops it with a message naming the key instead of silently meaning "no limit".
 */
@ApplicationScoped
public class OwnerLimits {
    /** The largest limit accepted: more would make the relay's per-owner release pointless. */
    public static final int MAX = 100_000;
    static final String DEFAULT_KEY = "hangar.gateway.queue.owner-max-active";
    static final String OVERRIDES_KEY = "hangar.gateway.queue.owner-overrides";

    private final int defaultLimit;
    private final Map<String, Integer> overrides;

    @Inject
    public OwnerLimits(GatewayConfig config) {
        this(config.queue().ownerMaxActive(), config.queue().ownerOverrides().orElse(""));
    }

    /** Throws {@link IllegalArgumentException} naming the key and what to write instead. */
    public OwnerLimits(int defaultLimit, String overrides) {
        this.defaultLimit = check(DEFAULT_KEY, String.valueOf(defaultLimit));
        this.overrides = parse(overrides);
    }

    /** The owner's limit. */
    public int of(String owner) {
        return overrides.getOrDefault(owner, defaultLimit);
    }

    private static Map<String, Integer> parse(String text) {
        var limits = new HashMap<String, Integer>();
        for (String entry : text.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String owner = eq < 0 ? "" : entry.substring(0, eq).strip();
            if (owner.isEmpty()) {
                throw new IllegalArgumentException(OVERRIDES_KEY + " (HANGAR_OWNER_MAX_ACTIVE_OVERRIDES): '" + entry.strip()
                        + "' is not owner=N; write e.g. alice=100,batch-team=4");
            }
            if (limits.put(owner, check(OVERRIDES_KEY + " for " + owner, entry.substring(eq + 1).strip())) != null) {
                throw new IllegalArgumentException(OVERRIDES_KEY + ": owner '" + owner + "' is listed twice");
            }
        }
        return Map.copyOf(limits);
    }

    private static int check(String key, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below says what is accepted
        }
        throw new IllegalArgumentException(key + ": '" + value + "' is not a whole number from 1 to " + MAX
                + " (the most runs an owner may have dispatched and unfinished at once)");
    }
}
