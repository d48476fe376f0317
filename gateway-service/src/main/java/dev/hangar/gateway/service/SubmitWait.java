package dev.hangar.gateway.service;

import dev.hangar.contracts.RunDetail;
import dev.hangar.contracts.RunStatus;
import dev.hangar.contracts.WaitPreference;
import dev.hangar.gateway.store.RunStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /v1/runs} with {@code Prefer: wait} (docs/contract.md): holds the answer until the run
 * ends or the wait passes. The waiter is completed by the event fan-out with the stored terminal
 * event's envelope, so a run that ends in time costs no extra read; the request's virtual thread
 * parks meanwhile, nothing waits on the event loop. At most {@code max-waiting-submits} are held.
 */
@ApplicationScoped
public class SubmitWait {
    private final RunEnds ends;
    private final RunStore store;

    /**
     * Whether the answer waited ({@code Preference-Applied}), the run if it ended meanwhile, and its
     * status when the wait was over (running or still queued if it did not end).
     */
    public record Held(boolean applied, Optional<RunDetail> ended, Optional<RunStatus> now) {
        static final Held NOT = new Held(false, Optional.empty(), Optional.empty());
    }

    public SubmitWait(RunEnds ends, RunStore store) {
        this.ends = ends;
        this.store = store;
    }

    /** Waits for the end of {@code owner}'s run {@code executionId}, at most {@code wait}. */
    public Held hold(String executionId, String owner, WaitPreference wait) {
        long deadline = System.nanoTime() + wait.duration().toNanos();
        var waiter = ends.tryHold(executionId);
        if (waiter.isEmpty()) {
            return Held.NOT; // too many held: the usual answer, at once
        }
        try (var w = waiter.get()) {
            // read after registering (the run may have ended before), as the run's own reads are authorised
            var status = store.status(executionId, owner);
            if (status.isEmpty()) {
                return Held.NOT;
            }
            if (status.get().terminal()) {
                return new Held(true, store.find(executionId, owner), status);
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            var ended = w.ended(left).map(RunDetail::of);
            return new Held(true, ended, ended.map(RunDetail::status).or(() -> store.status(executionId, owner)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // shutting down: the usual answer
            return new Held(true, Optional.empty(), Optional.empty());
        }
    }
}
