package dev.hangar.gateway.health;

import dev.hangar.kit.tls.HangarTls;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * Ready only while a Hangar service the gateway calls answers its liveness endpoint. Its
 * liveness, not its readiness: the gateway should not go unready because, say, the OCI registry
 * behind the registry service is down, only when the service itself cannot be reached.
 */
abstract class UpstreamCheck implements HealthCheck {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private final String name;
    private final URI live;
    private final HttpClient http;

    /** {@code tls}: an https upstream is trusted through the configured CA (docs/tls.md). */
    UpstreamCheck(String name, String baseUrl, HangarTls tls) {
        this.name = name;
        this.http = tls.httpClient().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
        this.live = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/").resolve("q/health/live");
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named(name).withData("url", live.toString());
        try {
            int status = http.send(HttpRequest.newBuilder(live).GET().timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            return (status == 200 ? response.up() : response.down()).withData("status", status).build();
        } catch (IOException e) {
            return response.down().withData("error", e.getClass().getSimpleName() + ": " + e.getMessage()).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return response.down().withData("error", "interrupted").build();
        }
    }
}
