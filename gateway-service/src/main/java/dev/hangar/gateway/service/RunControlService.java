package dev.hangar.gateway.service;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.RunControl;
import dev.hangar.contracts.Topics;
import dev.hangar.gateway.messaging.RunCommandPublisher;
import dev.hangar.gateway.store.RunStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/** Cancels runs through {@link Topics#RUNS_CONTROL}, which every executor reads. */
@ApplicationScoped
public class RunControlService {
    private final RunStore store;
    private final RunCommandPublisher publisher;

    public RunControlService(RunStore store, RunCommandPublisher publisher) {
        this.store = store;
        this.publisher = publisher;
    }

    public RunControl.Accepted cancel(String executionId, String owner) {
        var status = store.status(executionId, owner)
                .orElseThrow(() -> new HangarException(ErrorCode.ERR_RUN_NOT_FOUND, "no run " + executionId));
        if (status.terminal()) {
            throw new HangarException(ErrorCode.ERR_RUN_FINISHED, "run " + executionId + " already ended (" + status.wire() + ")");
        }
        try {
            publisher.publish(RunControl.cancel(executionId)).get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "Kafka did not take the cancel request; retry", e);
        }
        return RunControl.Accepted.of(executionId);
    }

}
