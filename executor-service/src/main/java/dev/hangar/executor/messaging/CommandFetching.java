package dev.hangar.executor.messaging;

import dev.hangar.executor.service.Capacity;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Lets {@link Capacity} stop and restart the commands channel's fetching: the consumer's
 * assigned partitions are paused while a command waits for room, resumed when a run ends.
 */
@ApplicationScoped
public class CommandFetching implements Capacity.Fetching {
    private static final Logger LOG = Logger.getLogger(CommandFetching.class);
    static final String CHANNEL = "run-requests";

    private final KafkaClientService kafka;
    private final Capacity capacity;

    public CommandFetching(KafkaClientService kafka, Capacity capacity) {
        this.kafka = kafka;
        this.capacity = capacity;
    }

    void start(@Observes StartupEvent started) {
        if (capacity.enforced()) {
            capacity.fetchWith(this);
        }
    }

    @Override
    public void pause() {
        var consumer = kafka.getConsumer(CHANNEL);
        if (consumer != null) {
            consumer.pause().subscribe().with(p -> LOG.infof("full (free %s): stopped fetching commands from %s", capacity.free(), p),
                    e -> LOG.warnf("could not pause fetching: %s", e.getMessage()));
        }
    }

    @Override
    public void resume() {
        var consumer = kafka.getConsumer(CHANNEL);
        if (consumer != null) {
            consumer.resume().subscribe().with(v -> LOG.infof("room again (free %s): fetching commands", capacity.free()),
                    e -> LOG.warnf("could not resume fetching: %s", e.getMessage()));
        }
    }
}
