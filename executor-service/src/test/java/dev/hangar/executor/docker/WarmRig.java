package dev.hangar.executor.docker;

import com.github.dockerjava.api.DockerClient;
import dev.hangar.executor.config.WarmConfig;
import dev.hangar.executor.service.Fixtures;
import dev.hangar.executor.store.OutputStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What the warm-pool tests run against: the test processor image of {@code processors/warm}, a
 * work folder of their own, a {@link WarmPool} and the {@link LocalAdapter} that uses it, storing
 * outputs in the stack's S3.
 */
record WarmRig(DockerClient docker, S3Client s3, String bucket, String image, Path workDir, WarmPool pool, LocalAdapter adapter) {

    static WarmRig open(DockerClient docker, String executorId, WarmConfig warm, String folderPrefix) throws IOException {
        String bucket = System.getenv().getOrDefault("ARTIFACTS_BUCKET", "hangar-artifacts");
        S3Client s3 = Fixtures.stackS3();
        String image = TestImages.processor(docker, Path.of("src/test/resources/processors/warm"), "executor-warm");
        Path workDir = Files.createTempDirectory(folderPrefix);
        var config = Fixtures.TestConfig.defaults(workDir).withId(executorId);
        var folders = new RunFolders(config);
        var pool = new WarmPool(docker, folders, config, TestLimits.DEFAULTS, warm);
        var adapter = new LocalAdapter(docker, new ImageResolver(docker), folders, new OutputStore(s3, () -> bucket), config,
                TestLimits.DEFAULTS, pool);
        return new WarmRig(docker, s3, bucket, image, workDir, pool, adapter);
    }
}
