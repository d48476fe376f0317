package dev.hangar.registry.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;

/** Settings of the registry service; the database is configured through {@code quarkus.datasource.*}. */
@ConfigMapping(prefix = "hangar.registry")
public interface RegistryConfig {

    /** Check every digest against the OCI registry before pinning it (env HANGAR_VERIFY_DIGESTS). */
    @WithDefault("true")
    boolean verifyDigests();

    /** How long to wait for a TCP connection to the OCI registry. */
    @WithDefault("2S")
    Duration ociConnectTimeout();

    /** How long to wait for the OCI registry to answer one manifest request. */
    @WithDefault("10S")
    Duration ociRequestTimeout();

    /** The OCI registry readiness asks ({@code GET /v2/}; env HANGAR_REGISTRY_OCI_URL); pins are checked where each image names. */
    @WithDefault("http://127.0.0.1:5000")
    URI ociUrl();

    /**
     * The token every caller sends in {@code X-Hangar-Internal-Token} (env HANGAR_INTERNAL_TOKEN, the same
     * on gateway, executor and storage); the service refuses to start on the built-in one outside dev/test.
     */
    String internalToken();

    /**
     * How long an executor's placement of a deployment stays believed without a report (env
     * HANGAR_DEPLOY_STALE_AFTER): past it the placement is unhealthy and its warm containers no
     * longer count (docs/deploy.md "Health"). Keep it a few times the executors'
     * {@code hangar.executor.deploy.report-interval}.
     */
    @WithDefault("30S")
    Duration deployStaleAfter();
}
