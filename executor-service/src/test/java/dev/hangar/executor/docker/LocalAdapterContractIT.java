package dev.hangar.executor.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Capability;
import dev.hangar.contracts.RunStatus;
import dev.hangar.executor.service.Fixtures;
import dev.hangar.executor.service.RunPlan;
import dev.hangar.executor.service.RunAdapter;
import dev.hangar.executor.service.RunAdapterContract;
import dev.hangar.executor.store.OutputStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The run-adapter contract against this host's Docker engine: the example echo image and a
 * failing one, built FROM this tree's runtime image ({@link TestImages}; network host for the
 * build, as every build here) and run as local builds, by image id.
 */
class LocalAdapterContractIT extends RunAdapterContract {
    static final String EXECUTOR_ID = "executor-contract-it";

    private DockerClient docker;
    private Path workDir;
    private final Map<Processor, String> images = new EnumMap<>(Processor.class);

    @BeforeAll
    void buildImages() throws IOException {
        docker = TestImages.engine();
        images.put(Processor.ECHO, TestImages.processor(docker, TestImages.root().resolve("examples/processors/echo"), "executor-echo"));
        images.put(Processor.FAILING, TestImages.processor(docker, Path.of("src/test/resources/processors/failing"),
                "executor-failing"));
        workDir = Files.createTempDirectory("hangar-contract");
    }

    @AfterAll
    void removeLeftovers() throws IOException {
        TestImages.cleanUp(docker, EXECUTOR_ID, workDir);
    }

    @Test
    void aMockContainerRunsLockedDownAndKeepContainerKeepsIt() {
        String id = newExecutionId();
        var p = plan(Processor.ECHO, id, echo("inspect me", 0), 60, Map.of());
        var plan = new RunPlan(p.spec(), p.image(), p.writePrefix(), p.inputs(), p.mock(), p.limits(), p.files(), p.secrets(), true);

        assertEquals(RunStatus.SUCCESS, execute(plan, activeRun(id, plan)).status());

        var kept = docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(RunContainer.LABEL_EXECUTION, id)).exec();
        assertEquals(1, kept.size(), "adapter_opts.keep_container keeps the container for debugging");
        try {
            var container = docker.inspectContainerCmd(kept.getFirst().getId()).exec();
            var host = container.getHostConfig();
            assertEquals("none", host.getNetworkMode(), "mock mode has no network at all");
            assertEquals(Boolean.TRUE, host.getReadonlyRootfs());
            assertEquals("10001:10001", container.getConfig().getUser());
            assertEquals(List.of(Capability.ALL), List.of(host.getCapDrop()));
            assertEquals(List.of("no-new-privileges"), host.getSecurityOpts());
            assertEquals(256L * 1024 * 1024, host.getMemory());
            assertEquals(500_000_000L, host.getNanoCPUs());
            assertEquals(256L, host.getPidsLimit());
            assertEquals(EXECUTOR_ID, container.getConfig().getLabels().get(RunContainer.LABEL_EXECUTOR));
        } finally {
            docker.removeContainerCmd(kept.getFirst().getId()).withForce(true).exec();
        }
    }

    @Override
    protected RunAdapter createAdapter(OutputStore outputs, int stderrTailLines) {
        var config = Fixtures.TestConfig.defaults(workDir).withId(EXECUTOR_ID).withStderrTailLines(stderrTailLines);
        return new LocalAdapter(docker, new ImageResolver(docker), new RunFolders(config), outputs, config, TestLimits.DEFAULTS);
    }

    @Override
    protected String image(Processor processor) {
        return images.get(processor);
    }

    @Override
    protected List<String> leftovers(String executionId) {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(RunContainer.LABEL_EXECUTION, executionId)).exec().stream()
                .map(c -> c.getId() + " " + c.getState()).toList();
    }
}
