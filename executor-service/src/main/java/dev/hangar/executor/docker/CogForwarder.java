package dev.hangar.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The sidecar of an unmodified Cog image's run: a container FROM the Hangar runtime image that
 * shares the Cog container's network namespace ({@code --network container:<id>}; the Cog
 * container itself has network {@code none}, so neither can reach anything but that loopback)
 * and turns the Cog server's {@code 127.0.0.1:5000} into the run folder's {@code runtime.sock}
 * ({@code python3 -m hangar_runtime.forward}). Locked down like a run container: unprivileged,
 * all capabilities dropped, read-only root, no new privileges, small limits.
 */
final class CogForwarder {
    /** Where every Cog server listens inside its image. */
    static final int COG_PORT = 5000;
    private static final long MEMORY = 64L * 1024 * 1024;
    private static final long PIDS = 128;

    private CogForwarder() {}

    /** Creates and starts the sidecar of the running Cog container {@code cogId}; its container id. */
    static String start(DockerClient docker, String image, String cogId, Path folder, String user, String name,
                        Map<String, String> labels) {
        if (docker.listImagesCmd().withImageNameFilter(image).exec().isEmpty()) {
            throw new HangarException(ErrorCode.ERR_CONTAINER_FAILED, "the Cog forwarder image " + image
                    + " is not on this engine (hangar.executor.cog.forwarder-image); build or pull the Hangar runtime image");
        }
        String id = docker.createContainerCmd(image)
                .withName(name)
                .withUser(user)
                .withEntrypoint("python3", "-m", "hangar_runtime.forward",
                        "--unix", RunContainer.IO_DIR + "/" + RunFolders.SOCKET, "--tcp", "127.0.0.1:" + COG_PORT)
                .withCmd(List.of())
                .withLabels(labels)
                .withHostConfig(HostConfig.newHostConfig()
                        .withNetworkMode("container:" + cogId)
                        .withBinds(new Bind(folder.toString(), new Volume(RunContainer.IO_DIR)))
                        .withMemory(MEMORY)
                        .withMemorySwap(MEMORY)
                        .withNanoCPUs(250_000_000L)
                        .withPidsLimit(PIDS)
                        .withCapDrop(Capability.ALL)
                        .withSecurityOpts(List.of("no-new-privileges"))
                        .withReadonlyRootfs(true))
                .exec()
                .getId();
        try {
            docker.startContainerCmd(id).exec();
        } catch (RuntimeException e) {
            remove(docker, id);
            throw e;
        }
        return id;
    }

    /** Removes the sidecar, whatever state it is in. */
    static void remove(DockerClient docker, String id) {
        Containers.remove(docker, id, "the Cog forwarder");
    }
}
