package dev.hangar.gateway.fault;

import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunRequested;
import dev.hangar.contracts.Topics;
import dev.hangar.kit.testing.StackCredentials;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Takes run commands from the private broker and answers each with started, a log line and a
 * success envelope, as the executor does; a command seen twice (a re-publish) runs once, as the
 * executor's own dedupe makes it. It rides out a broker restart like any Kafka client.
 */
final class FakeExecutor implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;
    final Set<String> handled = ConcurrentHashMap.newKeySet();
    final AtomicInteger duplicates = new AtomicInteger();

    FakeExecutor(String bootstrap) {
        var props = new Properties();
        props.putAll(StackCredentials.kafka(bootstrap));
        props.putAll(Map.of("group.id", "fault-executor", "auto.offset.reset", "earliest",
                "group.instance.id", "fault-executor-1", "session.timeout.ms", "6000",
                "key.deserializer", StringDeserializer.class.getName(), "value.deserializer", StringDeserializer.class.getName()));
        var bus = new Bus(bootstrap);
        thread = Thread.ofPlatform().name("fake-executor").start(() -> {
            try (var consumer = new KafkaConsumer<String, String>(props); bus) {
                consumer.subscribe(List.of(Topics.RUNS_REQUESTED));
                while (running) {
                    for (var record : consumer.poll(Duration.ofMillis(200))) {
                        var command = Json.read(record.value(), RunRequested.class);
                        if (!handled.add(command.executionId())) {
                            duplicates.incrementAndGet();
                            continue;
                        }
                        bus.started(command.executionId(), command.attempt());
                        bus.log(command.executionId(), command.attempt(), 2);
                        bus.completed(command.executionId(), command.attempt(), 3);
                    }
                }
            } catch (Exception e) {
                if (running) {
                    e.printStackTrace();
                }
            }
        });
    }

    @Override
    public void close() throws Exception {
        running = false;
        thread.join(10_000);
    }
}
