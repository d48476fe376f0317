package dev.hangar.executor.slurm;

import dev.hangar.contracts.AdapterOptions;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.RunRequested;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * How long a run's job may stay PENDING in Slurm: the run's capacity deadline (the gateway writes
 * the wait it applies into the command's {@code adapter_opts.capacity_wait_seconds}, counted from
 * the command's {@code created_at}, so it falls at or before the gateway's own), or
 * {@code hangar.executor.slurm.max-pending} when that is sooner or the command names no wait.
 */
record PendingLimit(Instant until, String describe) {

    static PendingLimit of(Duration maxPending, RunRequested command) {
        return of(maxPending, command, Clock.systemUTC());
    }

    static PendingLimit of(Duration maxPending, RunRequested command, Clock clock) {
        Instant now = clock.instant();
        var byConfig = new PendingLimit(now.plus(maxPending), maxPending.toSeconds() + " s (hangar.executor.slurm.max-pending)");
        Integer wait = capacityWait(command);
        if (wait == null || command.createdAt() == null) {
            return byConfig;
        }
        Instant deadline = command.createdAt().plusSeconds(wait);
        return deadline.isBefore(byConfig.until) ? new PendingLimit(deadline, "its capacity deadline of " + wait + " s "
                + "from submission (adapter_opts.capacity_wait_seconds, hangar.gateway.remote.capacity-wait)") : byConfig;
    }

    boolean passed() {
        return Instant.now().isAfter(until);
    }

    private static Integer capacityWait(RunRequested command) {
        try {
            return AdapterOptions.parse(command.adapterOpts()).capacityWaitSeconds();
        } catch (HangarException e) {
            return null; // the plan refused such options already
        }
    }
}
