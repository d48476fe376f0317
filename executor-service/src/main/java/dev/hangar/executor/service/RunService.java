package dev.hangar.executor.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.AttemptClaim;
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
import dev.hangar.kit.client.SpecCache;
import dev.hangar.executor.client.GatewaySecretsClient;
import dev.hangar.executor.client.RegistryClient;
import dev.hangar.executor.config.DeliveryConfig;
import dev.hangar.executor.config.ExecutorConfig;
import dev.hangar.executor.config.WarmConfig;
import dev.hangar.executor.messaging.EventPublisher;
import dev.hangar.kit.retry.Patience;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Checks a command, claims its attempt, picks its adapter and publishes exactly one terminal
 * event with the envelope (docs/delivery.md). Commands from the gateway were checked there
 * already; commands written to the bus by anyone else are checked here the same way (same
 * contracts code). An attempt that fails on infrastructure is followed by the next, per the
 * spec's retry policy; only the last attempt's envelope is published.
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
    private final Attempts attempts;
    private final DeliveryConfig delivery;
    private final Patience patience;
    private final Consumer<Duration> pause;
    private final SpecCache specs;
    private Capacity capacity = Capacity.unlimited();
    private final Map<String, ActiveRun> active = new java.util.concurrent.ConcurrentHashMap<>();
    private final Set<String> canceled = bounded();
    private final Set<String> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    // Runs whose envelope this executor published: a redelivery (a commit lost to a rebalance) is dropped at once.
    private final Set<String> finished = bounded();

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
                      ExecutorConfig config, Instance<RunAdapter> adapters, Attempts attempts, DeliveryConfig delivery,
                      WarmConfig warm, Capacity capacity) {
        this(publisher, registry, gateway, config, (Iterable<RunAdapter>) adapters, attempts, delivery,
                d -> java.util.concurrent.locks.LockSupport.parkNanos(d.toNanos()), warm.specCacheTtl());
        this.capacity = capacity;
    }

    /** Runs wait for room in {@code capacity} (tests; the CDI constructor takes the host's). */
    RunService withCapacity(Capacity capacity) {
        this.capacity = capacity;
        return this;
    }

    /** Any set of adapters and attempt counter, so plans, refusals and retries can be tested without CDI or Docker; no spec cache. */
    RunService(EventPublisher publisher, RegistryClient registry, GatewaySecretsClient gateway, ExecutorConfig config,
               Iterable<RunAdapter> adapters, Attempts attempts, DeliveryConfig delivery, Consumer<Duration> pause) {
        this(publisher, registry, gateway, config, adapters, attempts, delivery, pause, Duration.ZERO);
    }

    /** As above, with specs reused for {@code specCacheTtl} ({@link SpecCache}). */
    RunService(EventPublisher publisher, RegistryClient registry, GatewaySecretsClient gateway, ExecutorConfig config,
               Iterable<RunAdapter> adapters, Attempts attempts, DeliveryConfig delivery, Consumer<Duration> pause,
               Duration specCacheTtl) {
        this.specs = new SpecCache(specCacheTtl);
        this.gateway = gateway;
        this.publisher = publisher;
        this.registry = registry;
        this.config = config;
        this.attempts = attempts;
        this.delivery = delivery;
        this.patience = new Patience(delivery.retryInitial(), delivery.retryMax());
        this.pause = pause;
        adapters.forEach(a -> this.adapters.put(a.name(), a));
    }

    /**
     * Runs one command to its envelope and returns once the terminal event is acknowledged, so
     * the command is acknowledged only after it. Returns null for a command that is not run: its
     * run has ended already (a redelivery), or it is running here right now.
     */
    public Envelope execute(RunRequested command) {
        String id = command.executionId();
        if (!running.add(id)) {
            // Taken again here after a rebalance: acknowledge it only once the first copy has ended.
            LOG.infof("run %s is running here already; the redelivered command waits for it", id);
            while (running.contains(id)) {
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            }
            return null;
        }
        try {
            if (finished.contains(id)) {
                LOG.infof("run %s ended here already; dropping the redelivered command", id);
                return null;
            }
            return attempts(command);
        } finally {
            running.remove(id);
        }
    }

    private Envelope attempts(RunRequested command) {
        ProcessorSpec.Retry policy = policy(command.ref());
        // the run's share of the host is held across its attempts; a run that can never fit is refused by its attempt
        try (var slot = capacity.acquire(needs(command), () -> canceled.contains(command.executionId()))) {
            return attempts(command, policy);
        }
    }

    /** What the run takes while it runs: its spec's limits with its options; none when its spec cannot be read now. */
    private Capacity.Needs needs(RunRequested command) {
        try {
            return Capacity.Needs.of(AdapterOptions.parse(command.adapterOpts()).applyTo(resolve(command.ref()).runtime(),
                    command.timeoutSeconds()));
        } catch (HangarException e) {
            return Capacity.Needs.NONE;
        }
    }

    private Envelope attempts(RunRequested command, ProcessorSpec.Retry policy) {
        String id = command.executionId();
        for (Envelope failed = null; ; ) {
            AttemptClaim claim;
            try {
                claim = attempts.claim(id, policy.maxAttempts());
            } catch (HangarException e) {
                if (e.code() == ErrorCode.ERR_RUN_FINISHED) {
                    LOG.infof("run %s has ended already; dropping the redelivered command (%s)", id, e.getMessage());
                    return null;
                }
                // Past the policy (earlier attempts were lost with their executors): the next number ends the run.
                var run = new ActiveRun(command.withAttempt(policy.maxAttempts() + 1), publisher, config.platform());
                removeLeftovers(run);
                return finish(run, exhausted(run, policy, failed, e.getMessage()));
            }
            var run = new ActiveRun(command.withAttempt(claim.attempt()), publisher, config.platform());
            try (var held = hold(claim)) {
                Envelope envelope = attempt(run);
                if (!retried(envelope, run)) {
                    return finish(run, envelope);
                }
                if (claim.attempt() >= policy.maxAttempts()) {
                    return finish(run, exhausted(run, policy, envelope, null));
                }
                failed = envelope;
            }
            var envelope = failed;
            run.emit(new RunEvent.Log("stderr", "hangar: attempt " + claim.attempt() + " of " + policy.maxAttempts()
                    + " failed (" + envelope.error().code() + ": " + envelope.error().message() + "); the next starts in "
                    + policy.backoffSeconds() + " s"));
            pause.accept(policy.backoff());
        }
    }

    /** The attempt's lease, renewed until the envelope is out (it then runs out, covering the gateway's consumer lag). */
    private Lease hold(AttemptClaim claim) {
        AutoCloseable renewal = attempts.hold(claim);
        return () -> {
            try {
                renewal.close();
            } catch (Exception e) {
                LOG.debugf("stopping the lease renewal of %s: %s", claim.executionId(), e.getMessage());
            }
        };
    }

    private interface Lease extends AutoCloseable {
        @Override
        void close();
    }

    /** The spec's retry policy; the default one when the spec cannot be read now (that attempt then fails on it). */
    private ProcessorSpec.Retry policy(ProcessorRef ref) {
        try {
            return resolve(ref).retryPolicy();
        } catch (HangarException e) {
            return ProcessorSpec.Retry.DEFAULT;
        }
    }

    /** One attempt, from plan to envelope; failures become error envelopes. */
    private Envelope attempt(ActiveRun run) {
        var command = run.command();
        active.put(command.executionId(), run);
        try {
            if (canceled.contains(command.executionId())) {
                run.cancel();
                throw new HangarException(ErrorCode.ERR_CANCELED, "the run was canceled before it started");
            }
            var plan = plan(command, run);
            run.planned(plan);
            if (command.attempt() > 1) {
                adapter(run.adapter()).removeLeftovers(command.executionId());
            }
            return adapter(run.adapter()).execute(plan, run);
        } catch (HangarException e) {
            return run.error(e.code(), e.getMessage(), null);
        } catch (RuntimeException e) {
            LOG.errorf(e, "run %s failed unexpectedly", command.executionId());
            return run.error(ErrorCode.ERR_INTERNAL, "internal error in executor " + config.id() + "; see its log", null);
        } finally {
            active.remove(command.executionId());
        }
    }

    /** A run that gets no further attempt leaves nothing behind either (a lost executor's container). */
    private void removeLeftovers(ActiveRun run) {
        var adapter = find(run.adapter());
        try {
            if (adapter != null) {
                adapter.removeLeftovers(run.executionId());
            }
        } catch (RuntimeException e) {
            LOG.warnf("run %s: %s", run.executionId(), e.getMessage());
        }
    }

    /** Whether an attempt that ended so may be followed by another: an infrastructure failure, not a cancel. */
    private boolean retried(Envelope envelope, ActiveRun run) {
        return envelope.error() != null && !run.canceled() && !canceled.contains(run.executionId()) && !stopping
                && ProcessorSpec.Retry.retries(envelope.error().code());
    }

    private static Envelope exhausted(ActiveRun run, ProcessorSpec.Retry policy, Envelope last, String refusal) {
        String cause = last != null ? "the last failed with " + last.error().code() + ": " + last.error().message()
                : "earlier attempts ended without an envelope (their executors were lost)";
        return run.error(ErrorCode.ERR_ATTEMPTS_EXHAUSTED, "run " + run.executionId() + " used all " + policy.maxAttempts()
                + " attempt(s) of its retry policy; " + cause + (refusal == null ? "" : " (" + refusal + ")"),
                last == null ? null : last.error().stderrTail());
    }

    /** Publishes the terminal event until the broker acknowledges it; never gives up, never dead-letters it. */
    private Envelope finish(ActiveRun run, Envelope envelope) {
        var terminal = RunEvent.terminal(envelope);
        long seq = run.reserveSeq();
        patience.until("publishing the envelope of " + run.executionId(), () -> {
            try {
                return run.emitAs(seq, terminal).get(delivery.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("Kafka did not acknowledge it: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Kafka", e);
            }
        }, e -> false);
        finished.add(run.executionId());
        attempts.ended(run.executionId(), run.command().attempt(), envelope.status());
        LOG.infof("run %s attempt %d: %s (%s)", run.executionId(), run.command().attempt(), envelope.status(),
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
        String pinned = Boolean.TRUE.equals(command.build()) ? localBuild(command) : pinned(spec, run);
        if (specs.caching() && !Boolean.TRUE.equals(command.build())
                && (pinned == null || (command.image() != null && !command.image().equals(pinned)))) {
            // a cached spec may predate a repin (push --override): the registry's word decides
            specs.forget(ref);
            spec = resolve(ref);
            SpecValidator.requireValidInputs(spec, inputs);
            pinned = spec.pinnedImage(run.platform());
        } else if (pinned == null) {
            pinned = spec.pinnedImage(run.platform()); // throws ERR_IMAGE_UNPINNED, naming what is pinned
        }
        if (command.image() != null && !command.image().equals(pinned)) {
            throw new HangarException(ErrorCode.ERR_REGISTRY_MISMATCH, "the command asks for " + command.image()
                    + " but " + ref + " is pinned to " + pinned + " for " + run.platform());
        }
        var limits = options.applyTo(spec.runtime(), command.timeoutSeconds());
        capacity.requireFits(Capacity.Needs.of(limits));
        var secrets = mode == Mode.REAL ? secrets(command.executionId(), spec) : Map.<String, String>of();
        return new RunPlan(spec, pinned, prefix, inputs, mode == Mode.MOCK, limits, resolved.files(), secrets, options.keep());
    }

    /** The spec's pin for the run's platform, or null when it has none (a cached spec may be older than the pin). */
    private static String pinned(ProcessorSpec spec, ActiveRun run) {
        try {
            return spec.pinnedImage(run.platform());
        } catch (HangarException unpinned) {
            return null;
        }
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

    /**
     * SIGTERM: adapters that can end their runs now (the Slurm backend cancels its jobs) do, and
     * this waits, up to the longest time they ask for, until those runs' envelopes are out: they
     * end with the adapter's error, and no further attempt starts here (a stopping executor starts
     * nothing). Runs before the messaging connectors and worker pools stop (priority before 1000).
     */
    void onStop(@jakarta.enterprise.event.Observes @jakarta.annotation.Priority(500) io.quarkus.runtime.ShutdownEvent stop) {
        stopping = true;
        Duration wait = Duration.ZERO;
        for (RunAdapter adapter : adapters.values()) {
            Duration asked = adapter.stop();
            wait = asked.compareTo(wait) > 0 ? asked : wait;
        }
        if (wait.isZero()) {
            return;
        }
        var ending = Set.copyOf(running);
        LOG.infof("stopping: waiting up to %d s for %d run(s) to publish their envelopes", wait.toSeconds(), ending.size());
        long until = System.nanoTime() + wait.toNanos();
        while (ending.stream().anyMatch(running::contains) && System.nanoTime() < until) {
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        var left = ending.stream().filter(running::contains).toList();
        if (!left.isEmpty()) {
            LOG.warnf("stopping with run(s) %s not ended; the gateway's sweeper ends them", left);
        }
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
        return specs.get(ref, () -> Remote.call("the registry service", () -> registry.get(ref.namespace(), ref.name(), ref.version())));
    }

    /**
     * The adapter of a run: its own; for {@code remote} on a pool executor without a remote backend
     * bean (backend {@code docker}), this host's engine (docs/remote.md).
     */
    private RunAdapter find(Adapter name) {
        RunAdapter adapter = adapters.get(name);
        if (adapter == null && name == Adapter.REMOTE && config.pool().isPresent()
                && config.backend() == ExecutorConfig.Backend.DOCKER) {
            adapter = adapters.get(Adapter.LOCAL);
        }
        return adapter;
    }

    private RunAdapter adapter(Adapter name) {
        RunAdapter adapter = find(name);
        if (adapter == null) {
            throw new HangarException(ErrorCode.ERR_ADAPTER_UNAVAILABLE, "adapter '" + name.wire() + "' is not available here"
                    + (name == Adapter.REMOTE ? ": no remote backend is configured (this executor serves "
                    + config.pool().map(p -> "pool '" + p + "' with backend " + config.backend().name().toLowerCase(java.util.Locale.ROOT))
                            .orElse("no pool: start a pool executor with HANGAR_EXECUTOR_POOL") + ")" : "") + " (available: "
                    + String.join(", ", adapters.keySet().stream().map(Adapter::wire).toList()) + ")");
        }
        return adapter;
    }
}
