package dev.hangar.gateway.messaging;

import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Topics;
import dev.hangar.gateway.config.GatewayConfig;
import dev.hangar.gateway.store.OutboxStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Moves outbox rows to Kafka: a submission's own command at once (on the request's thread, so
 * it stays in the request's trace), and every row left behind on a timer. While Kafka is away
 * the timer sends one row as a probe (or, with nothing waiting, asks the cluster for its nodes)
 * so the outbox does not pile copies into the producer's buffer; {@link BusHealth} follows the
 * outcome.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final OutboxStore outbox;
    private final RunCommandPublisher publisher;
    private final BusHealth bus;
    private final GatewayConfig.Outbox config;
    /** The services' own Kafka client settings (servers, SASL), for the probe's admin client. */
    private final Map<String, Object> adminConfig;
    /** Outbox rows name the contract's topics; this installation's channels may use others. */
    private final Map<String, String> topics;
    private ScheduledExecutorService timer;

    public OutboxRelay(OutboxStore outbox, RunCommandPublisher publisher, BusHealth bus, GatewayConfig config,
                       @Identifier("default-kafka-broker") Map<String, Object> kafka,
                       @ConfigProperty(name = "mp.messaging.outgoing.run-requests.topic") String commands,
                       @ConfigProperty(name = "mp.messaging.incoming.run-events.topic") String events) {
        this.topics = Map.of(Topics.RUNS_REQUESTED, commands, Topics.RUNS_EVENTS, events);
        this.outbox = outbox;
        this.publisher = publisher;
        this.bus = bus;
        this.config = config.outbox();
        var admin = new HashMap<String, Object>();
        kafka.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                admin.put(key, value);
            }
        });
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
    }

    /**
     * Publishes a just-committed run's command, waiting at most {@code publish-wait} for Kafka.
     * Returns whether Kafka has it; if not, it stays in the outbox for the timer.
     */
    public boolean publishNow(String executionId) {
        try {
            return outbox.relayKey(executionId, rows -> send(rows, config.publishWait())) > 0;
        } catch (HangarException e) {
            LOG.warnf("the command of %s stays in the outbox for now: %s", executionId, e.getMessage());
            return false;
        }
    }

    /** Asks the timer for a pass now (the sweeper wrote rows). */
    public void wake() {
        if (timer != null) {
            timer.execute(this::pass);
        }
    }

    void pass() {
        try {
            if (bus.problem().isPresent()) {
                if (outbox.pending() == 0) {
                    probe();
                } else {
                    outbox.relay(1, rows -> send(rows, config.publishWait()));
                }
                if (bus.problem().isPresent()) {
                    return;
                }
            }
            int batch = config.batchSize();
            while (outbox.relay(batch, rows -> send(rows, config.publishWait())) == batch && bus.problem().isEmpty()) {
                // more waiting: go on
            }
        } catch (HangarException e) {
            LOG.debugf("outbox pass skipped: %s", e.getMessage()); // the database is away; next pass
        } catch (RuntimeException e) {
            LOG.warn("outbox pass failed", e);
        }
    }

    /** With nothing to send, whether Kafka answers at all. */
    private void probe() {
        try (Admin admin = Admin.create(adminConfig)) {
            admin.describeCluster().nodes().get(config.publishWait().toMillis(), TimeUnit.MILLISECONDS);
            bus.up();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            bus.down(BusHealth.describe(e));
        }
    }

    private Set<Long> send(List<OutboxStore.Row> rows, Duration wait) {
        var pending = new LinkedHashMap<Long, CompletableFuture<Void>>();
        String failure = null;
        for (var row : rows) {
            try {
                pending.put(row.id(), publisher.send(topics.getOrDefault(row.topic(), row.topic()), row.key(), row.payload()));
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
            bus.up();
        }
        return acked;
    }
}
