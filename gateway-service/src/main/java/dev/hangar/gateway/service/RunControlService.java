package dev.hangar.gateway.service;

import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.RunControl;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunStatus;
import dev.hangar.contracts.Topics;
import dev.hangar.gateway.messaging.OutboxRelay;
import dev.hangar.gateway.messaging.RunCommandPublisher;
import dev.hangar.gateway.store.RunStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/**
 * Cancels runs: one whose command is still in the gateway (held for its owner's slot, or not yet
 * relayed) ends here at once, canceled, and never reaches Kafka; any other through
 * {@link Topics#RUNS_CONTROL}, which every executor reads.
 */
@ApplicationScoped
public class RunControlService {
    private final RunStore store;
    private final RunCommandPublisher publisher;
    private final OutboxRelay relay;

    public RunControlService(RunStore store, RunCommandPublisher publisher, OutboxRelay relay) {
        this.store = store;
        this.publisher = publisher;
        this.relay = relay;
    }

    public RunControl.Accepted cancel(String executionId, String owner) {
        var status = store.status(executionId, owner)
                .orElseThrow(() -> new HangarException(ErrorCode.ERR_RUN_NOT_FOUND, "no run " + executionId));
        if (status.terminal()) {
            throw new HangarException(ErrorCode.ERR_RUN_FINISHED, "run " + executionId + " already ended (" + status.wire() + ")");
        }
        if (status == RunStatus.QUEUED && store.cancelUndispatched(executionId, canceled(executionId, owner))) {
            relay.wake(); // the canceled event goes out to every replica's subscribers
            return RunControl.Accepted.of(executionId);
        }
        try {
            publisher.publish(RunControl.cancel(executionId)).get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "Kafka did not take the cancel request; retry", e);
        }
        return RunControl.Accepted.of(executionId);
    }

    /** The run's end as an executor would have written it, had it got the run. */
    private RunEvent canceled(String executionId, String owner) {
        var run = store.find(executionId, owner).orElseThrow();
        var meta = new Envelope.Meta(run.ref() == null ? null : run.ref().toString(), run.adapter(), run.mode(), null, 1, null,
                null, null, null, null, null);
        var envelope = Envelope.error(executionId, ErrorCode.ERR_CANCELED, "canceled while it waited in the gateway, "
                + "before any executor got it", null, meta);
        return RunEvent.of(executionId, 1, RunSweeper.GATEWAY_SEQ, null, RunEvent.terminal(envelope));
    }
}
