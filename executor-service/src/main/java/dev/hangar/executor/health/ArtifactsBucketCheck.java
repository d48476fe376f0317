package dev.hangar.executor.health;

import dev.hangar.executor.config.ArtifactsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import software.amazon.awssdk.services.s3.S3Client;

/** Ready only while the artefacts bucket answers a HeadBucket: every run ends with an upload there. */
@Readiness
@ApplicationScoped
public class ArtifactsBucketCheck implements HealthCheck {
    static final String NAME = "artifacts-bucket";

    private final S3Client s3;
    private final ArtifactsConfig config;

    public ArtifactsBucketCheck(S3Client s3, ArtifactsConfig config) {
        this.s3 = s3;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named(NAME).withData("bucket", config.bucket());
        try {
            s3.headBucket(b -> b.bucket(config.bucket()));
            return response.up().build();
        } catch (RuntimeException e) {
            return response.down().withData("error", e.getClass().getSimpleName() + ": " + e.getMessage()).build();
        }
    }
}
