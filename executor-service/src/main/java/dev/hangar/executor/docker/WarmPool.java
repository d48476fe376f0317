package dev.hangar.executor.docker;

import com.github.dockerjava.api.DockerClient;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.executor.config.ExecutorConfig;
import dev.hangar.executor.config.LimitsConfig;
import dev.hangar.executor.config.WarmConfig;
import dev.hangar.executor.metrics.ExecutorMeters;
import dev.hangar.executor.service.ActiveRun;
import dev.hangar.executor.service.RunPlan;
import dev.hangar.runtime.client.RuntimeClient;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * This executor's warm containers (docs/warm-pool.md), grouped by {@link WarmKey}. A run takes a
 * slot: a free one of a container of its group, else a container started for it while the group
 * is below {@code max_warm} (scale-up on queue depth), else it waits its turn (FIFO) until a slot
 * frees or its deadline passes. A monitor asks every container's health every few seconds,
 * retires the ones that died or turned DEFUNCT, removes idle ones above {@code min_warm} and
 * starts replacements up to it. Every container carries the executor's label plus
 * {@value WarmContainer#LABEL_POOL}: the orphan reaper and this pool's shutdown remove them.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup // its meters exist from the start, and its shutdown is sure to run
public class WarmPool {
    private static final Logger LOG = Logger.getLogger(WarmPool.class);
    /** Replacements that failed in a row before a group stops replacing until a run succeeds. */
    private static final int MAX_REPLACEMENT_FAILURES = 3;

    private final DockerClient docker;
    private final RunFolders folders;
    private final ExecutorConfig config;
    private final LimitsConfig limits;
    private final WarmConfig warm;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final Condition changed = lock.newCondition();
    private final Map<WarmKey, Group> groups = new HashMap<>();
    /** Images whose runtime does not speak the warm protocol: their runs go cold. */
    private final Set<String> coldOnly = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService monitor = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("warm-monitor").factory());
    private final ExecutorService starters = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("warm-start-", 0).factory());
    private volatile boolean closed;

    /** The runs and containers of one key. */
    private static final class Group {
        final List<WarmContainer> containers = new ArrayList<>();
        final ArrayDeque<Object> queue = new ArrayDeque<>();
        ProcessorSpec.Warm settings;
        RunPlan template;
        Mode mode;
        int replacementFailures;
        /** The deployment ({@code env/name}) this group is kept warm for, or null. */
        String deployment;
    }

    /** A slot a run holds; {@code hit} when its container was READY already. */
    record Lease(WarmContainer container, boolean hit) {}

    @Inject
    public WarmPool(DockerClient docker, RunFolders folders, ExecutorConfig config, LimitsConfig limits, WarmConfig warm) {
        this.docker = docker;
        this.folders = folders;
        this.config = config;
        this.limits = limits;
        this.warm = warm;
        long every = Math.max(100, warm.monitorInterval().toMillis());
        monitor.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
        ExecutorMeters.warmPool(this);
        if (warm.enabled() && !RunFolders.executorIsRoot()) {
            LOG.warnf("warm containers are off: the executor runs as %s, not root, and could not seal run folders "
                    + "(docs/warm-pool.md); every run starts its own container", System.getProperty("user.name"));
        }
    }

    /** The group a run goes to, or null for the cold path (no warm block, keep_container, no owner, not root, ...). */
    WarmKey keyFor(RunPlan plan, ActiveRun run) {
        if (!warm.enabled() || closed || !RunFolders.executorIsRoot() || coldOnly.contains(plan.image())) {
            return null;
        }
        return WarmKey.of(plan, run.mode(), run.command().owner(), run.command().session());
    }

    /** Whether a live container of this image is here (the image is then present and was verified when it started). */
    boolean hasLive(String image) {
        lock.lock();
        try {
            return groups.entrySet().stream().anyMatch(e -> e.getKey().image().equals(image)
                    && e.getValue().containers.stream().anyMatch(c -> c.state() == WarmContainer.State.READY));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes a slot for a run, starting a container if the group may grow, else waiting in line
     * until one frees, the run is canceled ({@code ERR_CANCELED}) or its deadline passes
     * ({@code ERR_TIMEOUT}). Returns once the slot's container is READY.
     */
    Lease acquire(WarmKey key, RunPlan plan, ActiveRun run, long deadlineNanos) throws IOException {
        WarmContainer container;
        boolean starter = false;
        boolean hit;
        lock.lock();
        try {
            Group group = groups.computeIfAbsent(key, k -> new Group());
            group.settings = plan.spec().warmPool();
            group.template = plan;
            group.mode = run.mode();
            Object ticket = new Object();
            group.queue.add(ticket);
            try {
                while (true) {
                    if (closed) {
                        throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "the executor is shutting down");
                    }
                    if (group.queue.peek() == ticket) {
                        container = free(group);
                        if (container != null) {
                            hit = container.state() == WarmContainer.State.READY;
                            break;
                        }
                        if (group.containers.size() < group.settings.maxWarm()) {
                            container = create(key, group.settings);
                            group.containers.add(container);
                            starter = true;
                            hit = false;
                            break;
                        }
                    }
                    if (run.canceled()) {
                        throw new HangarException(ErrorCode.ERR_CANCELED, "the run was canceled while it waited for a warm slot");
                    }
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        throw new HangarException(ErrorCode.ERR_TIMEOUT, "the run reached its deadline while it waited for a "
                                + "slot in a warm container (all " + group.settings.maxWarm() + " container(s) of max_warm busy)");
                    }
                    changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
                }
                container.busy++;
            } finally {
                group.queue.remove(ticket);
                changed.signalAll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HangarException(ErrorCode.ERR_CANCELED, "the executor is shutting down");
        } finally {
            lock.unlock();
        }
        var lease = new Lease(container, hit);
        try {
            if (starter) {
                start(container, plan, run.mode());
            } else if (!hit) {
                container.awaitReady(Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime())));
            }
            ExecutorMeters.warmRun(hit ? "hit" : "start");
            return lease;
        } catch (IOException | RuntimeException e) {
            release(lease);
            if (starter) {
                retire(container, "it did not start: " + e.getMessage());
            }
            throw e;
        }
    }

    /** A READY or STARTING container of the group with a free slot, the least busy first. */
    private static WarmContainer free(Group group) {
        WarmContainer best = null;
        for (var c : group.containers) {
            if (c.state() != WarmContainer.State.RETIRED && c.busy < c.slots && (best == null || c.busy < best.busy)) {
                best = c;
            }
        }
        return best;
    }

    private WarmContainer create(WarmKey key, ProcessorSpec.Warm settings) {
        String name = RunFolders.shortName(key.label() + "#" + System.nanoTime());
        var folder = folders.createPool(name);
        var runtime = RuntimeClient.unixSocket(folders.socket(folder)).withMaxReplyBytes(limits.maxReplyBytes());
        var group = groups.get(key);
        return new WarmContainer(key, settings.maxConcurrency(), folder, runtime, docker, group == null ? null : group.deployment);
    }

    /**
     * The "keep N warm for this deployment" rule (docs/deploy.md): the template's group gets the
     * deployment's {@code min_warm} (and a {@code max_warm} at least that), so the monitor starts
     * and replaces its containers like any group's; a deployment bound to another image since
     * releases its former group to the usual idle scale-down. Returns the group's key.
     */
    WarmKey keep(String deployment, RunPlan template, Mode mode, String owner, int minWarm) {
        if (!warm.enabled() || closed || !RunFolders.executorIsRoot()) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "warm containers are off on this executor "
                    + "(hangar.executor.warm.enabled, or it does not run as root); it cannot keep a deployment warm");
        }
        var w = template.spec().warmPool();
        var settings = new ProcessorSpec.Warm(minWarm, Math.max(1, Math.max(w.maxWarm(), minWarm)), w.maxConcurrency(),
                w.idleSeconds(), ProcessorSpec.Warm.OWNER);
        var plan = new RunPlan(template.spec().withWarm(settings), template.image(), template.writePrefix(), template.inputs(),
                template.mock(), template.limits(), template.files(), template.secrets(), false);
        WarmKey key = WarmKey.of(plan, mode, owner);
        lock.lock();
        try {
            releaseExcept(deployment, key);
            Group group = groups.computeIfAbsent(key, k -> new Group());
            group.settings = settings;
            group.template = plan;
            group.mode = mode;
            group.deployment = deployment;
            group.replacementFailures = 0;
        } finally {
            lock.unlock();
        }
        replenish();
        return key;
    }

    /** The deployment is no longer kept here: its group goes to the usual idle scale-down. */
    void release(String deployment) {
        lock.lock();
        try {
            releaseExcept(deployment, null);
        } finally {
            lock.unlock();
        }
    }

    /** Every group kept for the deployment but {@code except} gets {@code min_warm} 0 and no deployment (lock held). */
    private void releaseExcept(String deployment, WarmKey except) {
        for (var e : groups.entrySet()) {
            var g = e.getValue();
            if (deployment.equals(g.deployment) && !e.getKey().equals(except)) {
                g.deployment = null;
                g.settings = new ProcessorSpec.Warm(0, g.settings.maxWarm(), g.settings.maxConcurrency(),
                        g.settings.idleSeconds(), g.settings.scope());
            }
        }
    }

    /** READY containers of a group {@link #keep} returned, by engine id. */
    List<String> readyContainers(WarmKey key) {
        lock.lock();
        try {
            var group = groups.get(key);
            return group == null ? List.of() : group.containers.stream()
                    .filter(c -> c.state() == WarmContainer.State.READY).map(WarmContainer::containerId).toList();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the group stopped replacing containers that failed to start. */
    boolean givenUp(WarmKey key) {
        lock.lock();
        try {
            var group = groups.get(key);
            return group != null && group.replacementFailures >= MAX_REPLACEMENT_FAILURES;
        } finally {
            lock.unlock();
        }
    }

    private void start(WarmContainer container, RunPlan plan, Mode mode) throws IOException {
        try {
            container.start(plan, mode, config, folders, limits.maxEgressConnections());
        } catch (WarmContainer.NotWarmCapable e) {
            LOG.warnf("%s: runs of %s go the cold way", e.getMessage(), plan.image());
            coldOnly.add(plan.image());
            throw e;
        }
        lock.lock();
        try {
            container.markReady();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        ExecutorMeters.containerStarted();
        LOG.infof("started %s (%d slot(s))", container, container.slots);
    }

    /** Gives a run's slot back; the container stays for the next run. */
    void release(Lease lease) {
        var c = lease.container();
        lock.lock();
        try {
            c.busy--;
            if (c.busy == 0) {
                c.idleSince = System.nanoTime();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A run that succeeded there: its group may replace lost containers again. */
    void succeeded(WarmKey key) {
        lock.lock();
        try {
            var group = groups.get(key);
            if (group != null) {
                group.replacementFailures = 0;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes a container out of service and removes it (runs still in it lose their connection
     * and fail with {@code ERR_CONTAINER_FAILED}, unless their own deadline or cancel explains it).
     */
    void retire(WarmContainer container, String why) {
        lock.lock();
        try {
            if (!container.markRetired(why)) {
                return;
            }
            var group = groups.get(container.key);
            if (group != null) {
                group.containers.remove(container);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.infof("retiring %s: %s", container, why);
        container.remove(folders);
    }

    /** The monitor's round: health of each container, idle scale-down, replacements up to min_warm. */
    void check() {
        if (closed) {
            return;
        }
        try {
            for (var c : snapshot()) {
                if (c.state() == WarmContainer.State.READY) {
                    String sickness = c.sickness();
                    if (sickness != null) {
                        retire(c, sickness);
                    }
                }
            }
            scaleDown();
            replenish();
        } catch (RuntimeException e) {
            LOG.warnf(e, "warm pool check failed");
        }
    }

    private List<WarmContainer> snapshot() {
        lock.lock();
        try {
            return groups.values().stream().flatMap(g -> g.containers.stream()).toList();
        } finally {
            lock.unlock();
        }
    }

    private void scaleDown() {
        var idle = new ArrayList<WarmContainer>();
        long now = System.nanoTime();
        lock.lock();
        try {
            for (var it = groups.entrySet().iterator(); it.hasNext(); ) {
                var group = it.next().getValue();
                int live = group.containers.size();
                for (var c : group.containers) {
                    if (live > group.settings.minWarm() && c.state() == WarmContainer.State.READY && c.busy == 0
                            && now - c.idleSince > TimeUnit.SECONDS.toNanos(group.settings.idleSeconds())) {
                        idle.add(c);
                        live--;
                    }
                }
                if (live == 0 && group.queue.isEmpty() && group.settings.minWarm() == 0) {
                    it.remove(); // forget its template (and in real mode the secrets in it)
                }
            }
        } finally {
            lock.unlock();
        }
        idle.forEach(c -> retire(c, "idle for more than its idle_seconds"));
    }

    private void replenish() {
        var starts = new ArrayList<Map.Entry<WarmKey, WarmContainer>>();
        var plans = new HashMap<WarmContainer, Group>();
        lock.lock();
        try {
            for (var e : groups.entrySet()) {
                var group = e.getValue();
                while (group.containers.size() < group.settings.minWarm() && group.template != null
                        && group.replacementFailures < MAX_REPLACEMENT_FAILURES) {
                    var c = create(e.getKey(), group.settings);
                    group.containers.add(c);
                    starts.add(Map.entry(e.getKey(), c));
                    plans.put(c, group);
                }
            }
        } finally {
            lock.unlock();
        }
        for (var s : starts) {
            var group = plans.get(s.getValue());
            RunPlan template;
            Mode mode;
            lock.lock();
            try {
                template = group.template;
                mode = group.mode;
            } finally {
                lock.unlock();
            }
            starters.submit(() -> {
                try {
                    start(s.getValue(), template, mode);
                } catch (IOException | RuntimeException e) {
                    lock.lock();
                    try {
                        group.replacementFailures++;
                    } finally {
                        lock.unlock();
                    }
                    retire(s.getValue(), "its replacement did not start: " + e.getMessage());
                }
            });
        }
    }

    /** Containers per state, for the meters. */
    public Map<String, Integer> containersByState() {
        var counts = new HashMap<String, Integer>();
        for (var state : WarmContainer.State.values()) {
            counts.put(state.name().toLowerCase(java.util.Locale.ROOT), 0);
        }
        snapshot().forEach(c -> counts.merge(c.state().name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum));
        return counts;
    }

    /** Slots taken by runs right now. */
    public int busySlots() {
        lock.lock();
        try {
            return groups.values().stream().flatMap(g -> g.containers.stream()).mapToInt(c -> c.busy).sum();
        } finally {
            lock.unlock();
        }
    }

    /** Runs waiting in line for a slot right now. */
    public int waiting() {
        lock.lock();
        try {
            return groups.values().stream().mapToInt(g -> g.queue.size()).sum();
        } finally {
            lock.unlock();
        }
    }

    /** The live containers of a key (tests). */
    List<WarmContainer> containers(WarmKey key) {
        lock.lock();
        try {
            var group = groups.get(key);
            return group == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(group.containers));
        } finally {
            lock.unlock();
        }
    }

    void onStop(@Observes ShutdownEvent stop) {
        close();
    }

    /** Removes every warm container of this executor; runs still waiting fail with ERR_UNAVAILABLE (and are retried elsewhere). */
    @PreDestroy
    public void close() {
        List<WarmContainer> all;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            all = groups.values().stream().flatMap(g -> g.containers.stream()).toList();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        monitor.shutdownNow();
        all.forEach(c -> retire(c, "the executor is shutting down"));
        starters.shutdownNow();
    }
}
