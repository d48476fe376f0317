package dev.hangar.gateway.deploy;

import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.kit.messaging.KafkaRecords;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/** Publishes deploy commands on {@code hangar.deploy.requested}, keyed {@code ns/name@ver:env}, and waits for Kafka's ack. */
@ApplicationScoped
public class DeployPublisher {
    private final Emitter<String> commands;

    public DeployPublisher(@Channel("deploy-requests") Emitter<String> commands) {
        this.commands = commands;
    }

    public void publish(Deploy.Command command) {
        try {
            KafkaRecords.send(commands, Deploy.key(command.ref(), command.env()), command).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "the deployment of " + command.ref() + " to " + command.env()
                    + " is recorded but Kafka did not take its command; run the same `hangar deploy` again", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "interrupted while publishing the deploy command", e);
        }
    }
}
