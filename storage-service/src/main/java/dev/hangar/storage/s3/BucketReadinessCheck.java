package dev.hangar.storage.s3;

import dev.hangar.storage.store.ArtifactStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the artefacts bucket exists and answers our credentials (HeadBucket). */
@Readiness
@ApplicationScoped
public class BucketReadinessCheck implements HealthCheck {

    private final ArtifactStore store;

    public BucketReadinessCheck(ArtifactStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        var answer = HealthCheckResponse.named("artifacts-bucket").withData("bucket", store.bucket());
        try {
            store.requireBucket();
            return answer.up().build();
        } catch (RuntimeException e) {
            return answer.down().withData("error", e.getMessage()).build();
        }
    }
}
