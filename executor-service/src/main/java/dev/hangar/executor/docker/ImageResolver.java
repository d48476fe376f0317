package dev.hangar.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.LocalBuild;
import dev.hangar.contracts.Platform;
import dev.hangar.executor.service.RunPlan;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes the pinned image present locally, pulled <em>by digest</em>, and proves that what will
 * run is what was pinned: the engine must list {@code repo@digest} among the image's RepoDigests.
 */
@ApplicationScoped
public class ImageResolver {
    private final DockerClient docker;

    public ImageResolver(DockerClient docker) {
        this.docker = docker;
    }

    /** Returns the verified digest (for a local build: its image id). */
    @WithSpan("hangar.run.pull")
    public String ensure(RunPlan plan, Platform platform) {
        if (LocalBuild.isImageId(plan.image())) {
            return requireLocalBuild(plan.image(), platform);
        }
        InspectImageResponse image;
        try {
            image = inspect(plan.image());
            if (image == null) {
                docker.pullImageCmd(plan.repository()).withTag(plan.digest()).withPlatform("linux/" + platform.wire())
                        .start().awaitCompletion(10, TimeUnit.MINUTES);
                image = inspect(plan.image());
            }
        } catch (NotFoundException e) {
            throw new HangarException(ErrorCode.ERR_DIGEST_NOT_FOUND, "the OCI registry has no " + plan.image() + ": " + e.getMessage());
        } catch (DockerException e) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "cannot pull " + plan.image() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HangarException(ErrorCode.ERR_CANCELED, "interrupted while pulling " + plan.image());
        }
        if (image == null) {
            throw new HangarException(ErrorCode.ERR_DIGEST_NOT_FOUND, "pulling " + plan.image() + " produced no image");
        }
        List<String> repoDigests = image.getRepoDigests() == null ? List.of() : image.getRepoDigests();
        if (!repoDigests.contains(plan.image())) {
            throw new HangarException(ErrorCode.ERR_REGISTRY_MISMATCH, "the image found for " + plan.image()
                    + " reports digests " + repoDigests + ", not the pinned one");
        }
        HostPlatform.requireImage("the image pinned for " + platform.wire(), image.getArch(), platform);
        return plan.digest();
    }

    /** A local build is never pulled: it must be on this engine, and the id names exactly one image. */
    private String requireLocalBuild(String imageId, Platform platform) {
        InspectImageResponse image = inspect(imageId);
        if (image == null) {
            throw new HangarException(ErrorCode.ERR_DIGEST_NOT_FOUND, "the local build " + imageId
                    + " is not on this executor's engine; a build runs where `hangar build` made it");
        }
        HostPlatform.requireImage("the local build " + imageId, image.getArch(), platform);
        return image.getId();
    }

    private InspectImageResponse inspect(String ref) {
        try {
            return docker.inspectImageCmd(ref).exec();
        } catch (NotFoundException e) {
            return null;
        }
    }
}
