package dev.hangar.kit.auth;

import io.quarkus.runtime.configuration.ConfigUtils;
import java.util.List;

/**
 * Keys and tokens have a built-in value in each service's properties so that tests and a
 * developer's first start work; outside the {@code dev} and {@code test} profiles a service
 * that still has one refuses to start, saying which environment variable to set.
 */
public final class FallbackKeys {
    private FallbackKeys() {}

    /** One setting: its config key, the environment variable that sets it, its value and its fallback. */
    public record Key(String property, String envVar, String value, String fallback) {}

    /** Throws (which stops the service with a non-zero exit) when any key is its fallback outside dev/test. */
    public static void refuseInProduction(String service, List<Key> keys) {
        List<String> profiles = ConfigUtils.getProfiles();
        if (profiles.contains("dev") || profiles.contains("test")) {
            return;
        }
        var left = keys.stream().filter(k -> k.value() == null || k.value().isBlank() || k.value().equals(k.fallback())).toList();
        if (!left.isEmpty()) {
            throw new IllegalStateException(service + " refuses to start: " + String.join(", ", left.stream()
                    .map(k -> k.property() + " (set " + k.envVar() + ")").toList())
                    + " still has the built-in development value, which anyone can read in the source; "
                    + "set a random secret (e.g. `head -c 32 /dev/urandom | base64`), or run with the dev profile");
        }
    }
}
