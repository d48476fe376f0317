package dev.hangar.gateway.service;

import dev.hangar.contracts.AdapterOptions;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.PoolName;
import dev.hangar.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Where an {@code adapter: remote} run goes (docs/remote.md): the pool it names, or the
 * configured default, which must be one of {@code hangar.gateway.remote.pools}; and how long it
 * may wait there for an executor with room (the configured capacity wait, or the run's shorter one).
 */
@ApplicationScoped
public class RemotePools {
    private final List<String> known;
    private final String fallback;
    private final long capacityWaitSeconds;

    public RemotePools(GatewayConfig config) {
        this.known = config.remote().pools().orElse(List.of()).stream().map(String::strip).filter(p -> !p.isEmpty())
                .map(PoolName::requireValid).toList();
        this.fallback = config.remote().defaultPool().map(PoolName::requireValid).orElse(null);
        this.capacityWaitSeconds = Math.max(1, config.remote().capacityWait().toSeconds());
        if (fallback != null && !known.contains(fallback)) {
            throw new IllegalStateException("hangar.gateway.remote.default-pool '" + fallback
                    + "' is not one of hangar.gateway.remote.pools " + known);
        }
    }

    /** The pool of a remote run and its capacity deadline. */
    public record Route(String name, int waitSeconds) {}

    /** Refuses a remote run this gateway cannot place: no pools at all, none named, or one it does not know. */
    public Route route(AdapterOptions options) {
        if (known.isEmpty()) {
            throw new HangarException(ErrorCode.ERR_ADAPTER_UNAVAILABLE, "no remote backend is configured on this "
                    + "installation (hangar.gateway.remote.pools is empty); use --adapter local");
        }
        String pool = options.pool() != null ? options.pool() : fallback;
        if (pool == null) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "a remote run must name its pool: "
                    + "--adapter-opts-json '{\"pool\":\"" + known.get(0) + "\"}' (pools: " + String.join(", ", known) + ")");
        }
        if (!known.contains(pool)) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "pool '" + pool + "' is not configured on this gateway "
                    + "(pools: " + String.join(", ", known) + ")");
        }
        long wait = options.capacityWaitSeconds() == null ? capacityWaitSeconds
                : Math.min(capacityWaitSeconds, options.capacityWaitSeconds());
        return new Route(pool, (int) wait);
    }
}
