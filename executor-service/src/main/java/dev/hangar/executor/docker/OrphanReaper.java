package dev.hangar.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import dev.hangar.executor.config.ExecutorConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Removes containers a previous process of this executor left behind (a crash mid-run), at
 * start; and, before a later attempt of a run, the containers earlier attempts of it left on this
 * engine, whichever executor started them (found by the execution id label).
 */
@ApplicationScoped
public class OrphanReaper {
    private static final Logger LOG = Logger.getLogger(OrphanReaper.class);

    void onStart(@Observes StartupEvent start, DockerClient docker, ExecutorConfig config) {
        try {
            var orphans = docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(List.of(RunContainer.LABEL_EXECUTOR + "=" + config.id())).exec();
            for (var c : orphans) {
                LOG.infof("removing orphan container %s of run %s", c.getId(), c.getLabels().get(RunContainer.LABEL_EXECUTION));
                docker.removeContainerCmd(c.getId()).withForce(true).exec();
            }
        } catch (DockerException | jakarta.ws.rs.ProcessingException e) {
            LOG.warnf("cannot list orphan containers: %s", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf("Docker engine not reachable at start: %s", e.getMessage());
        }
    }

    /** Removes every container of a run on this engine; a failure to list or remove is the next attempt's error. */
    static void removeRun(DockerClient docker, String executionId) {
        try {
            removeAll(docker, executionId);
        } catch (RuntimeException e) { // docker-java lets an unreachable engine out as a bare RuntimeException
            throw new dev.hangar.contracts.HangarException(dev.hangar.contracts.ErrorCode.ERR_UNAVAILABLE,
                    "cannot remove what earlier attempts of run " + executionId + " left on the Docker engine: " + e.getMessage(), e);
        }
    }

    private static void removeAll(DockerClient docker, String executionId) {
        var leftovers = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(java.util.Map.of(RunContainer.LABEL_EXECUTION, executionId)).exec();
        for (var c : leftovers) {
            LOG.infof("removing container %s of an earlier attempt of run %s (executor %s)", c.getId(), executionId,
                    c.getLabels().get(RunContainer.LABEL_EXECUTOR));
            try {
                docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
            } catch (com.github.dockerjava.api.exception.NotFoundException gone) {
                // removed meanwhile
            }
        }
    }
}
