package dev.hangar.kit.messaging;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Settings for a plain Kafka client (an admin, a consumer) made beside the services' channels. */
public final class KafkaClients {
    private KafkaClients() {}

    /**
     * The entries of the services' own {@code kafka.*} settings (the {@code default-kafka-broker}
     * map: servers, SASL) that a client of the given kind takes ({@code AdminClientConfig.configNames()},
     * {@code ConsumerConfig.configNames()}), as a map to add the client's own settings to.
     */
    public static Map<String, Object> config(Map<String, Object> broker, Set<String> names) {
        var config = new HashMap<String, Object>();
        broker.forEach((key, value) -> {
            if (names.contains(key)) {
                config.put(key, value);
            }
        });
        return config;
    }
}
