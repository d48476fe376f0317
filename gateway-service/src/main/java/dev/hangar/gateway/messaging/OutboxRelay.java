package dev.hangar.gateway.messaging;

import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Topics;
import dev.hangar.gateway.config.GatewayConfig;
import dev.hangar.gateway.config.OwnerLimits;
import dev.hangar.gateway.store.OutboxStore;
import dev.hangar.kit.messaging.KafkaClients;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Moves outbox rows to Kafka on its own thread: woken by a submission (its owner's commands) or
 * by a run's end (a slot of its owner's limit is free), and on a timer for everything else. A
 * submission therefore never waits for Kafka; a command continues its submission's trace all the
 * same (the row keeps the request's trace context). An owner's commands go out oldest first, at
 * most {@link OwnerLimits#of} dispatched and unfinished at once, so one owner's flood waits in
 * the outbox and never ahead of another owner's runs. While Kafka is away the timer asks the
 * cluster for its nodes before it sends anything, so the outbox does not pile copies into the
 * producer's buffer; {@link BusHealth} follows the outcome. The timer also asks when Kafka has
 * acknowledged nothing for {@link GatewayConfig.Outbox#publishWait()}: with every owner's slots
 * taken nothing is sent, and a broker that died then would otherwise go unnoticed while
 * submissions are accepted into the outbox.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final OutboxStore outbox;
    private final RunCommandPublisher publisher;
    private final BusHealth bus;
    private final OwnerLimits limits;
    private final GatewayConfig.Outbox config;
    /** The services' own Kafka client settings (servers, SASL), for the probe's admin client. */
    private final Map<String, Object> adminConfig;
    /** Outbox rows name the contract's topics; this installation's channels may use others. */
    private final Map<String, String> topics;
    /** Owners whose commands may go out now (a submission, a run's end), for the next pass. */
    private final Set<String> woken = ConcurrentHashMap.newKeySet();
    /** Whether a pass for {@link #woken} is already waiting to run. */
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    /** Whether rows that wait for no owner were written since the last pass (events to send). */
    private final AtomicBoolean unownedWoken = new AtomicBoolean();
    private ScheduledExecutorService timer;
    /** The probe's client, kept open between probes (it reconnects by itself); only the timer uses it. */
    private Admin admin;
    /** When Kafka last answered: an acknowledgement or a probe (System.nanoTime). */
    private volatile long lastHeard = System.nanoTime();

    public OutboxRelay(OutboxStore outbox, RunCommandPublisher publisher, BusHealth bus, OwnerLimits limits, GatewayConfig config,
                       @Identifier("default-kafka-broker") Map<String, Object> kafka,
                       @ConfigProperty(name = "mp.messaging.outgoing.run-requests.topic") String commands,
                       @ConfigProperty(name = "mp.messaging.incoming.run-events.topic") String events) {
        this.topics = Map.of(Topics.RUNS_REQUESTED, commands, Topics.RUNS_EVENTS, events);
        this.outbox = outbox;
        this.publisher = publisher;
        this.bus = bus;
        this.limits = limits;
        this.config = config.outbox();
        var admin = KafkaClients.config(kafka, AdminClientConfig.configNames());
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        this.adminConfig = Map.copyOf(admin);
    }

    void start(@Observes StartupEvent started) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("outbox-relay").daemon().unstarted(r));
        long every = config.interval().toMillis();
        timer.scheduleWithFixedDelay(this::pass, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (timer != null) {
            timer.shutdownNow();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(1));
        }
    }

    /**
     * Asks for a prompt pass over an owner's commands: it submitted one, or one of its runs ended.
     * Returns at once; many wakes before the pass runs make one pass.
     */
    public void wake(String owner) {
        if (owner != null) {
            woken.add(owner);
        } else {
            unownedWoken.set(true);
        }
        if (timer != null && wakeQueued.compareAndSet(false, true)) {
            try {
                timer.execute(this::wokenPass);
            } catch (RejectedExecutionException e) {
                wakeQueued.set(false); // shutting down
            }
        }
    }

    /** Asks for a prompt pass over rows that wait for no owner (the sweeper wrote events). */
    public void wake() {
        wake(null);
    }

    private void wokenPass() {
        wakeQueued.set(false);
        var owners = new ArrayList<String>(woken);
        woken.removeAll(owners);
        relay(owners, unownedWoken.getAndSet(false)); // a submission's pass needs no look at the events' rows
    }

    void pass() {
        try {
            if (bus.problem().isPresent() || System.nanoTime() - lastHeard > config.publishWait().toNanos()) {
                probe(); // the cluster answering first: a failed publish then marks it down again
                if (bus.problem().isPresent()) {
                    return;
                }
            }
            relay(outbox.waitingOwners(), true);
        } catch (HangarException e) {
            LOG.debugf("outbox pass skipped: %s", e.getMessage()); // the database is away; next pass
        } catch (RuntimeException e) {
            LOG.warn("outbox pass failed", e);
        }
    }

    /** Rows that wait for no owner (if asked), then each owner's free slots. */
    private void relay(List<String> owners, boolean unowned) {
        try {
            int batch = config.batchSize();
            while (unowned && bus.problem().isEmpty() && outbox.relay(batch, this::send) == batch) {
                // more waiting: go on
            }
            for (String owner : owners) {
                if (bus.problem().isPresent()) {
                    return;
                }
                while (relayOwner(owner, batch) == batch && bus.problem().isEmpty()) {
                    // more slots free: go on
                }
            }
        } catch (HangarException e) {
            LOG.debugf("outbox pass skipped: %s", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("outbox pass failed", e);
        }
    }

    private int relayOwner(String owner, int batch) {
        return outbox.relayOwner(owner, limits.of(owner), batch, this::send);
    }

    /** With nothing to send, whether Kafka answers at all. */
    private void probe() {
        try {
            if (admin == null) {
                admin = Admin.create(adminConfig);
            }
            admin.describeCluster().nodes().get(config.publishWait().toMillis(), TimeUnit.MILLISECONDS);
            heard();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            bus.down(BusHealth.describe(e));
        }
    }

    private void heard() {
        lastHeard = System.nanoTime();
        bus.up();
    }

    /**
     * The installation's topic for a row's: the channels' for the contract's names, and a pool's
     * commands ({@code hangar.runs.requested.<pool>}) below the commands channel's topic, so an
     * installation (or a test) that renames the commands topic renames its pools' with it.
     */
    String topicOf(String topic) {
        String mapped = topics.get(topic);
        if (mapped != null) {
            return mapped;
        }
        if (Topics.isRunCommands(topic)) {
            return topics.get(Topics.RUNS_REQUESTED) + topic.substring(Topics.RUNS_REQUESTED.length());
        }
        return topic;
    }

    private Set<Long> send(List<OutboxStore.Row> rows) {
        Duration wait = config.publishWait();
        var pending = new LinkedHashMap<Long, CompletableFuture<Void>>();
        String failure = null;
        for (var row : rows) {
            try {
                pending.put(row.id(), publisher.send(topicOf(row.topic()), row.kafkaKey(), row.payload(), row.traceparent()));
            } catch (RuntimeException e) {
                failure = BusHealth.describe(e);
                break;
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        Set<Long> acked = new HashSet<>();
        for (var entry : pending.entrySet()) {
            try {
                entry.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                acked.add(entry.getKey());
            } catch (ExecutionException e) {
                failure = BusHealth.describe(e.getCause());
            } catch (TimeoutException e) {
                failure = "no acknowledgement from Kafka (" + adminConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG) + ") within " + wait.toMillis() + " ms";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = "interrupted";
                break;
            }
        }
        if (failure != null) {
            bus.down(failure);
        } else if (!acked.isEmpty()) {
            heard();
        }
        return acked;
    }
}
