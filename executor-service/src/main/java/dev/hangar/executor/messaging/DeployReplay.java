package dev.hangar.executor.messaging;

import dev.hangar.contracts.Deploy;
import dev.hangar.kit.messaging.KafkaClients;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * At start, reads {@code hangar.deploy.requested} from its beginning (a compacted topic: the
 * deployments' changelog) and hands the newest command of each deployment to
 * {@link DeployCommandConsumer}, so an executor that restarts, or joins its pool later, holds the
 * deployments it would have held had it read every command live. The channel goes on from its
 * group's offset; a command both deliver is applied once. With the channel off, so is this.
 */
@ApplicationScoped
public class DeployReplay {
    private static final Logger LOG = Logger.getLogger(DeployReplay.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final DeployCommandConsumer commands;
    private final Map<String, Object> kafka;
    private final String topic;
    private final boolean enabled;

    public DeployReplay(DeployCommandConsumer commands, @Identifier("default-kafka-broker") Map<String, Object> kafka,
                        @ConfigProperty(name = "mp.messaging.incoming.deploy-requests.topic") String topic,
                        @ConfigProperty(name = "mp.messaging.incoming.deploy-requests.enabled", defaultValue = "true") boolean enabled) {
        this.commands = commands;
        this.kafka = kafka;
        this.topic = topic;
        this.enabled = enabled;
    }

    /** After the {@link dev.hangar.executor.docker.OrphanReaper} (default priority), which would remove the containers it starts. */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) StartupEvent started) {
        if (enabled) {
            Thread.ofPlatform().daemon().name("deploy-replay").start(this::replay);
        }
    }

    void replay() {
        Collection<Deploy.Command> newest;
        try {
            newest = newestPerDeployment(readAll());
        } catch (RuntimeException e) {
            LOG.warnf("could not read the deployments from %s: only commands from now on are applied (%s)", topic, e.getMessage());
            return;
        }
        LOG.infof("%d deployment(s) in %s at start", newest.size(), topic);
        newest.forEach(commands::handle);
    }

    /** Every valid command on the topic as of now, oldest first per partition. */
    private List<Deploy.Command> readAll() {
        var config = KafkaClients.config(kafka, ConsumerConfig.configNames());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false); // assigned partitions: nothing committed
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (var consumer = new KafkaConsumer<String, String>(config)) {
            var partitions = consumer.partitionsFor(topic, TIMEOUT).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions, TIMEOUT);
            var found = new ArrayList<Deploy.Command>();
            Instant deadline = Instant.now().plus(TIMEOUT);
            while (partitions.stream().anyMatch(p -> consumer.position(p, TIMEOUT) < end.get(p))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("not at the end of " + topic + " after " + TIMEOUT.toSeconds() + " s");
                }
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.value() != null) {
                        DeployCommandConsumer.read(record.value()).ifPresent(found::add);
                    }
                }
            }
            return found;
        }
    }

    /** The newest command of each deployment ({@link Deploy.Command#id()}); of two made at the same time, the later one read. */
    static Collection<Deploy.Command> newestPerDeployment(List<Deploy.Command> commands) {
        var newest = new LinkedHashMap<String, Deploy.Command>();
        for (var command : commands) {
            newest.merge(command.id(), command, (kept, next) -> kept.newerThan(next) ? kept : next);
        }
        return newest.values();
    }
}
