package dev.hangar.executor.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.AdapterOptions;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.Attachments;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.LocalBuild;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunRequested;
import dev.hangar.contracts.SecretValue;
import dev.hangar.contracts.SpecValidator;
import dev.hangar.contracts.WritePrefix;
import dev.hangar.kit.client.Remote;
import dev.hangar.executor.client.GatewaySecretsClient;
import dev.hangar.executor.client.RegistryClient;
import dev.hangar.executor.config.ExecutorConfig;
import dev.hangar.executor.messaging.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Checks a command, picks its adapter and publishes exactly one terminal event with the envelope.
 * Commands from the gateway were checked there already; commands written to the bus by anyone
 * else are checked here the same way (same contracts code).
 */
@ApplicationScoped
public class RunService {
    private static final Logger LOG = Logger.getLogger(RunService.class);
    private static final int REMEMBERED = 10_000;

    private final EventPublisher publisher;
    private final RegistryClient registry;
    private final ExecutorConfig config;
    private final Map<Adapter, RunAdapter> adapters = new java.util.EnumMap<>(Adapter.class);
    private final GatewaySecretsClient gateway;
    private final Map<String, ActiveRun> active = new java.util.concurrent.ConcurrentHashMap<>();
    private final Set<String> canceled = bounded();
    // Redelivered commands (after a rebalance) must not run twice: handled (execution_id, attempt) pairs.
    private final Set<String> handled = bounded();

    private static Set<String> bounded() {
        return Collections.synchronizedSet(Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > REMEMBERED;
            }
        }));
    }

    @Inject
    public RunService(EventPublisher publisher, @RestClient RegistryClient registry, @RestClient GatewaySecretsClient gateway,
                      ExecutorConfig config, Instance<RunAdapter> adapters) {
        this(publisher, registry, gateway, config, (Iterable<RunAdapter>) adapters);
    }

    /** Any set of adapters, so plans and refusals can be tested without CDI or Docker. */
    RunService(EventPublisher publisher, RegistryClient registry, GatewaySecretsClient gateway, ExecutorConfig config,
               Iterable<RunAdapter> adapters) {
        this.gateway = gateway;
        this.publisher = publisher;
        this.registry = registry;
        this.config = config;
        adapters.forEach(a -> this.adapters.put(a.name(), a));
    }

    /** Runs one command to its envelope and waits until the terminal event is acknowledged. */
    public Envelope execute(RunRequested command) {
        if (!handled.add(command.executionId() + "#" + command.attempt())) {
            LOG.infof("run %s attempt %d already handled here; ignoring the redelivery", command.executionId(), command.attempt());
            return null;
        }
        var run = new ActiveRun(command, publisher, config.platform());
        active.put(command.executionId(), run);
        Envelope envelope;
        try {
            if (canceled.contains(command.executionId())) {
                run.cancel();
                throw new HangarException(ErrorCode.ERR_CANCELED, "the run was canceled before it started");
            }
            var plan = plan(command, run);
            run.planned(plan);
            envelope = adapter(run.adapter()).execute(plan, run);
        } catch (HangarException e) {
            envelope = run.error(e.code(), e.getMessage(), null);
        } catch (RuntimeException e) {
            LOG.errorf(e, "run %s failed unexpectedly", command.executionId());
            envelope = run.error(ErrorCode.ERR_INTERNAL, "internal error in executor " + config.id() + "; see its log", null);
        } finally {
            active.remove(command.executionId());
        }
        try {
            run.emit(RunEvent.terminal(envelope)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // The record is acknowledged anyway only after this returns; a lost terminal event is retried by redelivery.
            throw new IllegalStateException("could not publish the envelope of " + command.executionId(), e);
        }
        LOG.infof("run %s: %s (%s)", command.executionId(), envelope.status(),
                envelope.error() == null ? "ok" : envelope.error().code());
        return envelope;
    }

    private RunPlan plan(RunRequested command, ActiveRun run) {
        Mode mode = run.mode();
        adapter(run.adapter());
        ProcessorRef ref = command.ref();
        ProcessorSpec spec = resolve(ref);
        var options = AdapterOptions.parse(command.adapterOpts());
        var resolved = Attachments.resolve(command.inputs(), command.attachments());
        JsonNode inputs = resolved.inputs();
        SpecValidator.requireValidInputs(spec, inputs);
        String prefix = WritePrefix.resolve(command.writePrefix(), ref, command.executionId());
        String pinned = Boolean.TRUE.equals(command.build()) ? localBuild(command) : spec.pinnedImage(run.platform());
        if (command.image() != null && !command.image().equals(pinned)) {
            throw new HangarException(ErrorCode.ERR_REGISTRY_MISMATCH, "the command asks for " + command.image()
                    + " but " + ref + " is pinned to " + pinned + " for " + run.platform());
        }
        var secrets = mode == Mode.REAL ? secrets(command.executionId(), spec) : Map.<String, String>of();
        return new RunPlan(spec, pinned, prefix, inputs, mode == Mode.MOCK, options.applyTo(spec.runtime(),
                command.timeoutSeconds()), resolved.files(), secrets, options.keep());
    }

    /** The image id of the newest local build: the gateway's choice, or the registry's for a bus-submitted run. */
    private String localBuild(RunRequested command) {
        if (LocalBuild.isImageId(command.image())) {
            return command.image();
        }
        var ref = command.ref();
        return Remote.call("the registry service",
                () -> registry.latestBuild(ref.namespace(), ref.name(), ref.version()).imageId());
    }

    /** Real mode gets the spec's secrets from the gateway, or does not start. */
    private Map<String, String> secrets(String executionId, ProcessorSpec spec) {
        if (spec.secrets().isEmpty()) {
            return Map.of();
        }
        Map<String, String> values = Remote.call("the gateway (for the run's secrets)",
                () -> gateway.lookup(config.internalToken(), new SecretValue.Lookup(executionId, spec.secrets())).values());
        var missing = spec.secrets().stream().filter(n -> !values.containsKey(n)).toList();
        if (!missing.isEmpty()) {
            throw new HangarException(ErrorCode.ERR_MISSING_SECRET, spec.ref() + " in real mode needs the secret(s) "
                    + String.join(", ", missing) + "; set each with `hangar secrets set NAME`");
        }
        return values;
    }

    /** A cancel request from {@code hangar.runs.control}: stop the run if it is here, remember it if it is not yet. */
    public void cancel(String executionId) {
        canceled.add(executionId);
        var run = active.get(executionId);
        if (run != null) {
            LOG.infof("canceling run %s", executionId);
            run.cancel();
        }
    }

    private ProcessorSpec resolve(ProcessorRef ref) {
        return Remote.call("the registry service", () -> registry.get(ref.namespace(), ref.name(), ref.version()));
    }

    private RunAdapter adapter(Adapter name) {
        RunAdapter adapter = adapters.get(name);
        if (adapter == null) {
            throw new HangarException(ErrorCode.ERR_ADAPTER_UNAVAILABLE, "adapter '" + name.wire() + "' is not available here"
                    + (name == Adapter.REMOTE ? ": no remote backend is configured" : "") + " (available: "
                    + String.join(", ", adapters.keySet().stream().map(Adapter::wire).toList()) + ")");
        }
        return adapter;
    }
}
