package dev.hangar.gateway.client;

import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.gateway.config.GatewayConfig;
import dev.hangar.kit.client.Remote;
import dev.hangar.kit.client.SpecCache;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * The specs runs are submitted against: read from the registry and reused for
 * {@code hangar.gateway.spec-cache-ttl}. Every change of a spec or pin this replica passes to the
 * registry is forgotten here at once; other replicas see it within the TTL
 * (docs/adr/0008-spec-cache.md).
 */
@ApplicationScoped
public class ProcessorSpecs {
    private final RegistryClient registry;
    private final SpecCache cache;

    public ProcessorSpecs(@RestClient RegistryClient registry, GatewayConfig config) {
        this.registry = registry;
        this.cache = new SpecCache(config.specCacheTtl());
    }

    /** The spec of {@code ref}, at most the TTL old (and never older than this replica's last change of it). */
    public ProcessorSpec get(ProcessorRef ref) {
        return cache.get(ref, () -> read(ref));
    }

    /** The spec of {@code ref} as the registry has it now, bypassing the cache (control-plane calls). */
    public ProcessorSpec read(ProcessorRef ref) {
        return Remote.call(RegistryClient.NAME, () -> registry.get(ref.namespace(), ref.name(), ref.version()));
    }

    /** Call after the registry was sent a change of {@code ref}, whatever it answered. */
    public void changed(ProcessorRef ref) {
        cache.forget(ref);
    }
}
