package dev.hangar.executor.service;

import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunRequested;
import dev.hangar.executor.messaging.EventPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One run as this executor handles it: numbers its events, remembers what the envelope's
 * {@code meta} reports, and builds the envelope.
 */
public final class ActiveRun {
    private final RunRequested command;
    private final EventPublisher publisher;
    private final AtomicLong seq = new AtomicLong();
    private final Instant startedAt = Instant.now();
    private volatile String platform;
    private volatile String imageDigest;
    private volatile String envFingerprint;

    ActiveRun(RunRequested command, EventPublisher publisher, String defaultPlatform) {
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

    public String platform() {
        return platform;
    }

    /** Records the verified digest and the fingerprint of everything that shapes the result. */
    public void ranImage(String digest, String fingerprint) {
        this.imageDigest = digest;
        this.envFingerprint = fingerprint;
    }

    public CompletableFuture<Void> emit(RunEvent.Body body) {
        return publisher.publish(RunEvent.of(command.executionId(), command.attempt(), seq.incrementAndGet(),
                command.traceparent(), body));
    }

    public Envelope success(List<OutputRef> outputs, String indexPath) {
        return Envelope.success(command.executionId(), outputs, indexPath, meta());
    }

    public Envelope error(ErrorCode code, String message, String stderrTail) {
        return Envelope.error(command.executionId(), code, message, stderrTail, meta());
    }

    private Envelope.Meta meta() {
        Instant now = Instant.now();
        Long queueMs = command.createdAt() == null ? null
                : Math.max(0, Duration.between(command.createdAt(), startedAt).toMillis());
        return new Envelope.Meta(String.valueOf(command.ref()), adapter(), mode(), platform, command.attempt(),
                imageDigest, envFingerprint, Duration.between(startedAt, now).toMillis(), queueMs);
    }

    public String adapter() {
        return command.adapter() == null ? "local" : command.adapter();
    }

    public String mode() {
        return command.mode() == null ? "mock" : command.mode();
    }
}
