package dev.hangar.executor.messaging;

import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.Json;
import dev.hangar.executor.docker.DeploymentKeeper;
import dev.hangar.kit.messaging.KafkaRecords;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Deploy commands from {@code hangar.deploy.requested}. Every executor reads all of them (a group
 * of its own) and acts on those whose pool is its own ({@code hangar.executor.pool}; a command of
 * no pool is the default executors'); its reports go to {@code hangar.deploy.events}. At start,
 * {@link DeployReplay} hands it the newest command of each deployment from the topic's beginning.
 */
@ApplicationScoped
public class DeployCommandConsumer {
    private static final Logger LOG = Logger.getLogger(DeployCommandConsumer.class);

    private final DeploymentKeeper keeper;
    private final Emitter<String> events;
    private final Optional<String> pool;
    /** The newest command handled (of any pool) that has a {@code created_at}, by {@link Deploy.Command#id()}. */
    private final Map<String, Deploy.Command> handled = new HashMap<>();

    public DeployCommandConsumer(DeploymentKeeper keeper, @Channel("deploy-events") Emitter<String> events,
                                 @ConfigProperty(name = "hangar.executor.pool") Optional<String> pool) {
        this.keeper = keeper;
        this.events = events;
        this.pool = pool.filter(p -> !p.isBlank());
    }

    @Incoming("deploy-requests")
    @Blocking
    public void onCommand(String payload) {
        read(payload).ifPresent(this::handle);
    }

    /** The command in a record of the topic; empty (with a warning) for one that is not a valid command. */
    static Optional<Deploy.Command> read(String payload) {
        try {
            var command = Json.read(payload, Deploy.Command.class);
            Deploy.requireEnv(command.env());
            command.digest();
            return Optional.of(command);
        } catch (RuntimeException e) {
            LOG.warnf("ignoring an unreadable deploy command: %s", e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Applies a command of this executor's pool, and lets go of a deployment a command put in
     * another pool; skips a command no newer than one already handled for the same deployment
     * (the start's replay and the channel can both hold it); one without {@code created_at} is
     * always applied. One command at a time, whichever hands it over: an apply waits for the one
     * before it to end.
     */
    synchronized void handle(Deploy.Command command) {
        if (command.createdAt() != null) {
            var last = handled.get(command.id());
            if (last != null && !command.newerThan(last)) {
                LOG.debugf("skipping the deploy command of %s to %s made %s: one made %s was handled", command.ref(), command.env(),
                        command.createdAt(), last.createdAt());
                return;
            }
            handled.put(command.id(), command);
        }
        if (!Objects.equals(command.pool(), pool.orElse(null))) {
            keeper.release(command.id()); // another pool's deployment, if it was ever this one's
            return;
        }
        LOG.infof("deploy %s to %s: %s, min_warm %d", command.ref(), command.env(), command.image(), command.minWarm());
        keeper.apply(command, event -> {
            try {
                KafkaRecords.send(events, Deploy.key(event.ref(), event.env()), event).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warnf("could not publish the %s event of %s/%s: %s", event.type().wire(), event.env(), event.name(), e.getMessage());
            }
        });
    }
}
