package dev.hangar.executor.messaging;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunRequested;
import dev.hangar.executor.metrics.ExecutorMeters;
import dev.hangar.executor.service.RunService;
import dev.hangar.executor.tracing.RunTracing;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Takes run commands from {@code hangar.runs.requested}, or on a pool executor from its pool's
 * {@code hangar.runs.requested.<pool>} ({@link dev.hangar.executor.config.PoolChannels}); how many
 * it holds at once is the {@code hangar-runs} worker pool's size, what they may take together the
 * host's {@link dev.hangar.executor.service.Capacity}. A record that is not JSON or not a
 * well-formed command throws here, which nacks it: SmallRye sends it to
 * {@code hangar.runs.requested.dlq} with the message as the {@code dead-letter-reason} header
 * and the consumer goes on. Everything after parsing ends in an envelope, never a nack.
 */
@ApplicationScoped
public class RunRequestConsumer {
    private final RunService runs;
    private final RunTracing tracing;

    public RunRequestConsumer(RunService runs, RunTracing tracing) {
        this.runs = runs;
        this.tracing = tracing;
    }

    @Incoming("run-requests")
    @Blocking(value = "hangar-runs", ordered = false)
    public void onCommand(String payload) {
        try {
            var command = parse(payload);
            tracing.inRun(command, () -> runs.execute(command));
        } catch (RuntimeException e) {
            ExecutorMeters.deadLettered("run-requests"); // a throw here nacks: the record goes to the DLQ
            throw e;
        }
    }

    static RunRequested parse(String payload) {
        if (payload == null || payload.isBlank()) {
            throw new HangarException(ErrorCode.ERR_COMMAND_INVALID, "empty record: expected a RunRequested JSON object");
        }
        try {
            return Json.read(payload, RunRequested.class).requireWellFormed();
        } catch (HangarException e) {
            throw new HangarException(ErrorCode.ERR_COMMAND_INVALID, e.getMessage());
        }
    }
}
