package dev.hangar.executor.slurm;

import com.github.dockerjava.api.DockerClient;
import dev.hangar.executor.docker.TestImages;
import dev.hangar.executor.docker.TestLimits;
import dev.hangar.executor.service.Fixtures;
import dev.hangar.executor.service.RunAdapter;
import dev.hangar.executor.service.RunAdapterContract;
import dev.hangar.executor.store.OutputStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The run-adapter contract through Slurm: every run is a job submitted to the local cluster's
 * slurmrestd with a JWT, placed by slurmctld on node1, whose job script runs the image by digest
 * (pushed to the local OCI registry) on the node's Docker engine; outputs go to the real S3.
 */
class SlurmAdapterContractIT extends RunAdapterContract {
    static final String EXECUTOR_ID = "executor-slurm-contract-it";

    private SlurmRig rig;
    private DockerClient docker;
    private final Map<Processor, String> images = new EnumMap<>(Processor.class);

    @BeforeAll
    void startRig() throws IOException {
        rig = new SlurmRig();
        docker = TestImages.engine();
        images.put(Processor.ECHO, rig.pushed(docker, TestImages.root().resolve("examples/processors/echo"), "echo"));
        images.put(Processor.FAILING, rig.pushed(docker, Path.of("src/test/resources/processors/failing"), "failing"));
    }

    @AfterAll
    void closeRig() throws IOException {
        if (rig != null) {
            rig.close();
        }
        if (docker != null) {
            docker.close();
        }
    }

    @Override
    protected RunAdapter createAdapter(OutputStore outputs, int stderrTailLines) {
        var config = Fixtures.TestConfig.defaults(rig.sharedDir()).withId(EXECUTOR_ID).withStderrTailLines(stderrTailLines);
        return new SlurmAdapter(rig.config(), config, TestLimits.DEFAULTS, outputs);
    }

    @Override
    protected String image(Processor processor) {
        return images.get(processor);
    }

    @Override
    protected List<String> leftovers(String executionId) {
        try {
            var left = new ArrayList<>(rig.containers(executionId));
            left.addAll(rig.liveJobs(executionId));
            return left;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
