package dev.hangar.gateway.deploy;

import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.Json;
import dev.hangar.gateway.client.RegistryClient;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Relays the executors' reports on {@code hangar.deploy.events} to the registry, which owns the
 * deployment's status. The gateways share one group: each event is recorded once (and recording
 * is idempotent in effect: the status follows the transition table).
 */
@ApplicationScoped
public class DeployEventConsumer {
    private static final Logger LOG = Logger.getLogger(DeployEventConsumer.class);
    private static final int ATTEMPTS = 10;

    private final RegistryClient registry;

    public DeployEventConsumer(@RestClient RegistryClient registry) {
        this.registry = registry;
    }

    @Incoming("deploy-events")
    @Blocking
    public void onEvent(String payload) throws InterruptedException {
        Deploy.Event event;
        try {
            event = Json.read(payload, Deploy.Event.class);
        } catch (RuntimeException e) {
            LOG.warnf("dropping an unreadable deploy event: %s", e.getMessage());
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                registry.recordDeployEvent(event);
                return;
            } catch (RuntimeException e) {
                if (attempt == ATTEMPTS) {
                    LOG.warnf("could not record %s event of %s/%s from %s: %s", event.type(), event.env(), event.name(),
                            event.executorId(), e.getMessage());
                    return;
                }
                Thread.sleep(Duration.ofMillis(200L * attempt));
            }
        }
    }
}
