package dev.hangar.executor.docker;

import com.github.dockerjava.api.DockerClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the Docker engine answers. */
@Readiness
@ApplicationScoped
public class DockerHealthCheck implements HealthCheck {
    private final DockerClient docker;

    public DockerHealthCheck(DockerClient docker) {
        this.docker = docker;
    }

    @Override
    public HealthCheckResponse call() {
        try {
            docker.pingCmd().exec();
            return HealthCheckResponse.up("docker");
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("docker").down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
