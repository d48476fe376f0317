package dev.hangar.gateway.config;

import dev.hangar.contracts.Platform;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Gateway settings. */
@ConfigMapping(prefix = "hangar.gateway")
public interface GatewayConfig {

    /** The base URL clients reach this gateway at; run and stream URLs are built from it. */
    @WithDefault("http://127.0.0.1:8080")
    String publicUrl();

    /** This replica's name; its Kafka consumer group for events is {@code hangar-<id>}. */
    @WithDefault("gateway-1")
    String instanceId();

    /** Key material secrets are sealed with; set HANGAR_SECRETS_KEY in production. */
    String secretsKey();

    /** Shared token executors present to read a run's secrets ({@code X-Hangar-Internal-Token}). */
    String internalToken();

    /** Where the internal listener ({@code /internal/**}, executors only) binds; keep it on loopback or a private network. */
    @WithDefault("127.0.0.1")
    String internalHost();

    /** The internal listener's port (HANGAR_GATEWAY_INTERNAL_PORT); {@code /internal/**} is 404 on the public port. */
    @WithDefault("8084")
    int internalPort();

    /** Whether /v1 requests need a bearer token (off only in tests). */
    @WithDefault("true")
    boolean authEnabled();

    /** Tokens created at start, {@code owner=token,owner=token} (HANGAR_BOOTSTRAP_TOKENS). */
    Optional<String> bootstrapTokens();

    /** The credit limit of a plan created by its first use. */
    @WithDefault("100")
    double defaultPlanLimit();

    /** The platform whose pinned digest a run gets when it names none. */
    @WithDefault("amd64")
    Platform defaultPlatform();
}
