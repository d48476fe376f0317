package dev.hangar.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import org.jboss.logging.Logger;

/** Removing a container whatever state it is in: the one way the executor does it. */
final class Containers {
    private static final Logger LOG = Logger.getLogger(Containers.class);

    private Containers() {
    }

    /**
     * Force-removes {@code id} with its volumes. True once it is gone (or was already, or never
     * existed: a null id); false, logged with {@code what} it was, when the engine refused.
     */
    static boolean remove(DockerClient docker, String id, String what) {
        if (id == null) {
            return true;
        }
        try {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException alreadyGone) {
            // removed meanwhile
        } catch (RuntimeException e) { // docker-java lets an unreachable engine out as a bare RuntimeException
            LOG.warnf("could not remove %s %s: %s", what, id, e.getMessage());
            return false;
        }
        return true;
    }
}
