package dev.hangar.registry.health;

import dev.hangar.registry.config.RegistryConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the OCI registry answers its API base ({@code GET /v2/}): without it no digest
 * can be pinned. 200 and 401 both mean a registry is there (401: it wants credentials for more).
 * Skipped (UP, {@code verify: false}) when digests are not verified.
 */
@Readiness
@ApplicationScoped
public class OciRegistryCheck implements HealthCheck {
    static final String NAME = "oci-registry";

    private final URI base;
    private final RegistryConfig config;
    private final HttpClient http;

    public OciRegistryCheck(RegistryConfig config) {
        this.config = config;
        this.base = config.ociUrl().resolve("/v2/");
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(config.ociConnectTimeout()).build();
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named(NAME).withData("url", base.toString());
        if (!config.verifyDigests()) {
            return response.up().withData("verify", false).build();
        }
        try {
            int status = http.send(HttpRequest.newBuilder(base).GET().timeout(config.ociConnectTimeout()).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            return (status == 200 || status == 401 ? response.up() : response.down()).withData("status", status).build();
        } catch (IOException e) {
            return response.down().withData("error", e.getClass().getSimpleName() + ": " + e.getMessage()).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return response.down().withData("error", "interrupted").build();
        }
    }
}
