package dev.hangar.cli.service;

import dev.hangar.cli.client.GatewayClient;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.Checkpoint;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.TrainingRun;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Follows a training run to its end over the run's event stream, handing each step's loss (the
 * trainer's {@code progress} events) to a listener, then waits for the gateway to register the
 * run's checkpoints (it does so within seconds of the run's end) and returns them.
 */
public final class TrainingRunWatch {
    private static final Duration REGISTRATION_WAIT = Duration.ofSeconds(60);
    private final GatewayClient client;
    private final RunFollower.Settings settings;

    public TrainingRunWatch(GatewayClient client, RunFollower.Settings settings) {
        this.client = client;
        this.settings = settings;
    }

    /** How a training run ended: the run's outcome, and its registered checkpoints (none if it failed). */
    public record Result(RunFollower.Outcome outcome, TrainingRun run, Checkpoint.Page checkpoints) {}

    public Result follow(TrainingRun started, Consumer<TrainingRun.Step> onStep) {
        String id = started.runId();
        var outcome = new RunFollower(client.eventStream(), client::getRun, settings).follow(id, client.streamUri(id, started.streamUrl()),
                (raw, event) -> {
                    if (event != null && event.event() instanceof RunEvent.Progress p) {
                        TrainingRun.Step step = TrainingRun.Step.parse(p.message());
                        if (step != null) {
                            onStep.accept(step);
                        }
                    }
                });
        if (!outcome.success()) {
            return new Result(outcome, client.getTrainingRun(id), new Checkpoint.Page(java.util.List.of(), new Checkpoint.Cursor(0, 0, 0)));
        }
        long until = System.nanoTime() + REGISTRATION_WAIT.toNanos();
        while (true) {
            TrainingRun run = client.getTrainingRun(id);
            if (run.lastCheckpoint() != null) {
                return new Result(outcome, run, client.listCheckpoints(id, 0, 0));
            }
            if (System.nanoTime() > until) {
                throw new CliError(ErrorCode.ERR_UNAVAILABLE, "training run " + id + " succeeded but the gateway registered none of its "
                        + "checkpoints within " + REGISTRATION_WAIT.toSeconds() + " s; see `hangar checkpoint list --run-id " + id + "` later");
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliError(ErrorCode.ERR_CANCELED, "interrupted while waiting for the checkpoints of " + id, e);
            }
        }
    }
}
