package dev.hangar.executor.service;

import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Cost;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunRequested;
import dev.hangar.executor.messaging.EventPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One run as this executor handles it: numbers its events, masks secrets in what it reports,
 * remembers what the envelope's {@code meta} says, can be canceled from another thread, and
 * builds the envelope.
 */
public final class ActiveRun {
    private final RunRequested command;
    private final EventPublisher publisher;
    private final AtomicLong seq = new AtomicLong();
    private final Instant startedAt = Instant.now();
    private final Platform platform;
    private volatile String imageDigest;
    private volatile String envFingerprint;
    private volatile ProcessorSpec.Resources limits;
    private volatile Redactor redactor = Redactor.NONE;
    private volatile Redactor.Stream masked = Redactor.NONE.stream();
    private volatile boolean canceled;
    private volatile Runnable onCancel = () -> { };

    ActiveRun(RunRequested command, EventPublisher publisher, Platform defaultPlatform) {
        this.command = command;
        this.publisher = publisher;
        this.platform = command.platform() == null ? defaultPlatform : command.platform();
    }

    public RunRequested command() {
        return command;
    }

    public String executionId() {
        return command.executionId();
    }

    public Platform platform() {
        return platform;
    }

    /** Records the verified digest and the fingerprint of everything that shapes the result. */
    public void ranImage(String digest, String fingerprint) {
        this.imageDigest = digest;
        this.envFingerprint = fingerprint;
    }

    void planned(RunPlan plan) {
        this.limits = plan.limits();
        this.redactor = new Redactor(plan.secrets().values());
        this.masked = redactor.stream();
    }

    public String redact(String text) {
        return redactor.apply(text);
    }

    /** What to do when a cancel request arrives while the run executes (set by the adapter). */
    public void onCancel(Runnable action) {
        this.onCancel = action;
        if (canceled) {
            action.run();
        }
    }

    void cancel() {
        canceled = true;
        onCancel.run();
    }

    public boolean canceled() {
        return canceled;
    }

    /** Publishes an event with its secrets masked (tokens may be held back a little, see {@link Redactor.Stream}). */
    public synchronized CompletableFuture<Void> emit(RunEvent.Body body) {
        CompletableFuture<Void> sent = CompletableFuture.completedFuture(null);
        for (RunEvent.Body safe : masked.mask(body)) {
            sent = send(seq.incrementAndGet(), safe);
        }
        return sent;
    }

    /**
     * The number for an event that may be sent more than once (the terminal one), after sending
     * any token text the masking still holds back, so nothing comes after it.
     */
    synchronized long reserveSeq() {
        masked.flush().forEach(held -> send(seq.incrementAndGet(), held));
        return seq.incrementAndGet();
    }

    /**
     * Sends an event under a given number; sending it again after a failed publish keeps its
     * (execution_id, attempt, seq), so a copy the broker did store is a duplicate the gateway drops.
     */
    CompletableFuture<Void> emitAs(long number, RunEvent.Body body) {
        return send(number, redactor.mask(body));
    }

    private CompletableFuture<Void> send(long number, RunEvent.Body safe) {
        return publisher.publish(RunEvent.of(command.executionId(), command.attempt(), number, command.traceparent(), safe));
    }

    public Envelope success(List<OutputRef> outputs, String indexPath) {
        return Envelope.success(command.executionId(), outputs, indexPath, meta());
    }

    public Envelope error(ErrorCode code, String message, String stderrTail) {
        return Envelope.error(command.executionId(), code, redact(message), redact(stderrTail), meta());
    }

    private Envelope.Meta meta() {
        Instant now = Instant.now();
        long durationMs = Duration.between(startedAt, now).toMillis();
        Long queueMs = command.createdAt() == null ? null
                : Math.max(0, Duration.between(command.createdAt(), startedAt).toMillis());
        Double cost = limits == null ? null : Cost.of(limits, durationMs / 1000.0);
        return new Envelope.Meta(String.valueOf(command.ref()), adapter(), mode(), platform, command.attempt(),
                imageDigest, envFingerprint, durationMs, queueMs, cost, command.plan());
    }

    public Adapter adapter() {
        return command.adapter() == null ? Adapter.DEFAULT : command.adapter();
    }

    public Mode mode() {
        return command.mode() == null ? Mode.DEFAULT : command.mode();
    }
}
