package dev.hangar.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import dev.hangar.executor.config.ExecutorConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.jboss.logging.Logger;

/** Removes containers a previous process of this executor left behind (a crash mid-run). */
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
}
