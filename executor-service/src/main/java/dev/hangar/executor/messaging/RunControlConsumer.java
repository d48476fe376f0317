package dev.hangar.executor.messaging;

import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunControl;
import dev.hangar.executor.service.RunService;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Cancel requests from {@code hangar.runs.control}; an unreadable one is logged and skipped. */
@ApplicationScoped
public class RunControlConsumer {
    private static final Logger LOG = Logger.getLogger(RunControlConsumer.class);
    private final RunService runs;

    public RunControlConsumer(RunService runs) {
        this.runs = runs;
    }

    @Incoming("run-control")
    @Blocking
    public void onControl(String payload) {
        try {
            RunControl control = Json.read(payload, RunControl.class);
            if (control.action() == RunControl.Action.CANCEL && control.executionId() != null) {
                runs.cancel(control.executionId());
            }
        } catch (RuntimeException e) {
            LOG.warnf("ignoring an unreadable control record: %s", e.getMessage());
        }
    }
}
