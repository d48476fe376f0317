package dev.hangar.executor.docker;

import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.executor.client.RegistryClient;
import dev.hangar.executor.config.DeployConfig;
import dev.hangar.executor.config.ExecutorConfig;
import dev.hangar.executor.service.RunPlan;
import dev.hangar.kit.client.Remote;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Acts on a deploy command (docs/deploy.md): checks the image is one the registry pins for the
 * ref, pulls it by digest and verifies the pulled image's digest ({@link ImageResolver}), then
 * asks the {@link WarmPool} to keep {@code min_warm} READY containers of it (mock mode: no
 * network, no secrets) and reports each step as a {@link Deploy.Event}. Once verified, it
 * re-reports the deployment every {@code report-interval} with its READY count as of then, so
 * status shows a container lost (degraded) or this executor gone (no report: unhealthy).
 */
@ApplicationScoped
public class DeploymentKeeper {
    private static final Logger LOG = Logger.getLogger(DeploymentKeeper.class);

    private final RegistryClient registry;
    private final ImageResolver images;
    private final WarmPool pool;
    private final ExecutorConfig config;
    private final Duration readyTimeout;
    /** The deployments this executor holds, by {@code env/name}: what its periodic reports are about. */
    private final Map<String, Held> held = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ScheduledExecutorService reports = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("deploy-reports").factory());

    /** A verified deployment: its command, its warm group (null with min_warm 0), the verified digest, where reports go. */
    private record Held(Deploy.Command command, WarmKey key, String digest, Consumer<Deploy.Event> events) {}

    public DeploymentKeeper(@RestClient RegistryClient registry, ImageResolver images, WarmPool pool, ExecutorConfig config,
                            DeployConfig deploy) {
        this.registry = registry;
        this.images = images;
        this.pool = pool;
        this.config = config;
        this.readyTimeout = deploy.readyTimeout();
        long every = Math.max(200, deploy.reportInterval().toMillis());
        reports.scheduleWithFixedDelay(this::report, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Runs the command to its end, sending {@code deployed} then {@code verified}, or {@code failed} with the reason. */
    public void apply(Deploy.Command command, Consumer<Deploy.Event> events) {
        String digest = command.digest();
        String id = command.id();
        held.remove(id); // a redeploy: nothing is reported about it until it is verified again
        try {
            ProcessorSpec spec = Remote.call("the registry service",
                    () -> registry.get(command.ref().namespace(), command.ref().name(), command.ref().version()));
            var image = Deploy.OciRef.parse(command.image());
            if (!spec.image().equals(image.repository()) || !spec.digests().containsValue(digest)) {
                throw new HangarException(ErrorCode.ERR_REGISTRY_MISMATCH, "the command's image " + command.image()
                        + " is not pinned for " + command.ref() + " (pins " + spec.digests() + ")");
            }
            var plan = new RunPlan(spec, command.image(), "/artifacts/deployments/" + command.name() + "/", Json.MAPPER.createObjectNode(),
                    true, spec.runtime(), Map.of(), Map.of(), false);
            String verified = images.ensure(plan, config.platform());
            events.accept(event(command, Deploy.EventType.DEPLOYED, verified, 0, "pulled and verified " + command.image()));
            if (command.minWarm() == 0) {
                pool.release(id); // containers a former min_warm kept go to the idle scale-down
                events.accept(event(command, Deploy.EventType.VERIFIED, verified, 0, "min_warm 0: the image is present, no container kept"));
                held.put(id, new Held(command, null, verified, events));
                return;
            }
            var key = pool.keep(id, plan, Mode.MOCK, command.owner(), command.minWarm());
            Instant deadline = Instant.now().plus(readyTimeout);
            while (pool.readyContainers(key).size() < command.minWarm()) {
                if (pool.givenUp(key) || Instant.now().isAfter(deadline)) {
                    throw new HangarException(ErrorCode.ERR_CONTAINER_FAILED, pool.readyContainers(key).size() + " of "
                            + command.minWarm() + " warm container(s) READY after " + readyTimeout.toSeconds() + " s");
                }
                Thread.sleep(200);
            }
            var ready = pool.readyContainers(key);
            events.accept(event(command, Deploy.EventType.VERIFIED, verified, ready.size(), ready.size()
                    + " warm container(s) READY: " + String.join(", ", ready.stream().map(c -> c.substring(0, 12)).toList())));
            held.put(id, new Held(command, key, verified, events));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            events.accept(event(command, Deploy.EventType.FAILED, digest, 0, "interrupted"));
        } catch (RuntimeException e) {
            String code = e instanceof HangarException h ? h.code().name() : ErrorCode.ERR_INTERNAL.name();
            LOG.warnf("deployment %s/%s failed: %s", command.env(), command.name(), e.getMessage());
            events.accept(event(command, Deploy.EventType.FAILED, digest, 0, code + ": " + e.getMessage()));
        }
    }

    /**
     * Lets go of a deployment (a newer command put it in another pool): no more reports about it
     * from here, and its containers go to the usual idle scale-down.
     */
    public void release(String id) {
        if (held.remove(id) != null) {
            LOG.infof("deployment %s moved to another pool: released", id);
        }
        pool.release(id);
    }

    /** One round of reports: each held deployment's READY count now (a repeat only refreshes it in the registry). */
    void report() {
        for (var h : held.values()) {
            try {
                int ready = h.key() == null ? 0 : pool.readyContainers(h.key()).size();
                int want = h.command().minWarm();
                h.events().accept(event(h.command(), Deploy.EventType.VERIFIED, h.digest(), ready,
                        want == 0 ? "min_warm 0: the image is present, no container kept" : ready + " of " + want + " warm container(s) READY"));
            } catch (RuntimeException e) {
                LOG.warnf("could not report %s/%s: %s", h.command().env(), h.command().name(), e.getMessage());
            }
        }
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        reports.shutdownNow();
    }

    private Deploy.Event event(Deploy.Command command, Deploy.EventType type, String digest, int warm, String message) {
        return new Deploy.Event(Deploy.SCHEMA_VERSION, command.name(), command.ref(), command.env(), type, digest, warm, config.id(),
                message, Instant.now());
    }
}
