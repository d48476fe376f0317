package dev.hangar.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Gateway settings. */
@ConfigMapping(prefix = "hangar.gateway")
public interface GatewayConfig {

    /** The base URL clients reach this gateway at; run and stream URLs are built from it. */
    @WithDefault("http://127.0.0.1:8080")
    String publicUrl();

    /** This replica's name; its Kafka consumer group for events is {@code hangar-<id>}. */
    @WithDefault("gateway-1")
    String instanceId();

    /** The platform whose pinned digest a run gets when it names none. */
    @WithDefault("amd64")
    String defaultPlatform();
}
