package dev.hangar.executor.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import dev.hangar.contracts.RunStatus;
import dev.hangar.executor.docker.TestImages;
import dev.hangar.executor.docker.TestLimits;
import dev.hangar.executor.service.Fixtures;
import dev.hangar.executor.service.RunAdapter;
import dev.hangar.executor.service.RunAdapterContract;
import dev.hangar.executor.store.OutputStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The run-adapter contract on a cluster whose only node is across a network: a private Slurm
 * cluster of this test (deploy/local/slurm.sh with its own state, ports and keys) whose slurmctld
 * listens on the host end of a veth pair and whose slurmd runs in a network namespace at the
 * other end (link-local 169.254.77.x/30, nothing routed anywhere else). Every job is launched
 * over the veth, and the node's job script reaches the Docker engine through its socket. The
 * namespace (and with it the veths) is removed when the test ends.
 */
class SlurmNetworkNodeIT extends RunAdapterContract {
    static final String EXECUTOR_ID = "executor-slurm-netns-it";

    private final String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 5);
    private final String namespace = "hgslurm" + suffix;
    private final String hostVeth = "vethhs" + suffix;
    private final String nodeVeth = "vethns" + suffix;
    private final int subnet = 4 * ThreadLocalRandom.current().nextInt(1, 63);
    private final String ctldAddr = "169.254.77." + (subnet + 1);
    private final String nodeAddr = "169.254.77." + (subnet + 2);
    private Path base;
    private Map<String, String> env;
    private SlurmRig rig;
    private DockerClient docker;
    private boolean namespaceMade;
    private final Map<Processor, String> images = new EnumMap<>(Processor.class);

    @BeforeAll
    void startClusterAcrossAVeth() throws IOException {
        docker = TestImages.engine();
        base = Files.createTempDirectory("hangar-slurm-net");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x")); // the job user reaches shared/
        env = Map.of("SLURM_BASE_DIR", base.toString(), "SLURM_CTLD_ADDR", ctldAddr, "SLURM_CTLD_PORT", "6827",
                "SLURM_REST_PORT", "6830", "SLURM_NODE_NAME", "node2", "SLURM_NODE_ADDR", nodeAddr, "SLURM_NODE_NETNS", namespace);
        ip("netns", "add", namespace);
        namespaceMade = true;
        ip("link", "add", hostVeth, "type", "veth", "peer", "name", nodeVeth);
        ip("link", "set", nodeVeth, "netns", namespace);
        ip("addr", "add", ctldAddr + "/30", "dev", hostVeth);
        ip("link", "set", hostVeth, "up");
        ip("-n", namespace, "addr", "add", nodeAddr + "/30", "dev", nodeVeth);
        ip("-n", namespace, "link", "set", nodeVeth, "up");
        ip("-n", namespace, "link", "set", "lo", "up");
        var start = new SlurmRig.Result(0, "");
        var script = TestImages.root().resolve("deploy/local/slurm.sh").toString();
        var builder = new ProcessBuilder(script, "start").redirectErrorStream(true);
        builder.environment().putAll(env);
        try {
            Process p = builder.start();
            String out = new String(p.getInputStream().readAllBytes());
            start = new SlurmRig.Result(p.waitFor(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertEquals(0, start.code(), "the namespaced cluster did not start:\n" + start.output());
        rig = new SlurmRig(env);
        images.put(Processor.ECHO, rig.pushed(docker, TestImages.root().resolve("examples/processors/echo"), "echo"));
        images.put(Processor.FAILING, rig.pushed(docker, Path.of("src/test/resources/processors/failing"), "failing"));
    }

    @AfterAll
    void removeClusterAndNamespace() throws IOException {
        try {
            if (rig != null) {
                rig.sh(List.of(TestImages.root().resolve("deploy/local/slurm.sh").toString(), "stop"));
                rig.close();
            }
        } finally {
            if (namespaceMade) {
                ip("netns", "del", namespace); // its veth end goes with it, and the host end with its peer...
                // ...once nothing holds the namespace any more (here a closed connection of the node's can hold
                // it for a while): deleting the host end removes the pair at once
                if (links().contains(hostVeth)) {
                    ip("link", "del", hostVeth);
                }
            }
            if (base != null) {
                new ProcessBuilder("rm", "-rf", base.toString()).inheritIO().start();
            }
            if (docker != null) {
                docker.close();
            }
        }
    }

    @Test
    void theJobRanOnTheNodeBehindTheVeth() throws IOException {
        String id = newExecutionId();
        var plan = plan(Processor.ECHO, id, echo("across the veth", 0), 60, Map.of());

        assertEquals(RunStatus.SUCCESS, execute(plan, activeRun(id, plan)).status());

        var job = rig.client().jobs().stream().filter(j -> SlurmAdapter.jobName(id).equals(j.name())).findFirst().orElseThrow();
        assertEquals("node2", job.batchHost());
        String node = rig.scontrol("show", "node", "node2");
        assertTrue(node.contains("NodeAddr=" + nodeAddr), node);
        String links = links();
        assertTrue(links.contains(hostVeth), "the host end of the veth exists while the test runs:\n" + links);
    }

    @Override
    protected RunAdapter createAdapter(OutputStore outputs, int stderrTailLines) {
        return rig.adapter(EXECUTOR_ID, outputs, stderrTailLines);
    }

    @Override
    protected String image(Processor processor) {
        return images.get(processor);
    }

    @Override
    protected List<String> leftovers(String executionId) {
        return rig.leftovers(executionId);
    }

    private static String links() throws IOException {
        return new String(new ProcessBuilder("ip", "-br", "link").start().getInputStream().readAllBytes());
    }

    private static void ip(String... args) throws IOException {
        var command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
