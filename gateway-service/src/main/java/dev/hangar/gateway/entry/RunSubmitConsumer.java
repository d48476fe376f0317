package dev.hangar.gateway.entry;

import dev.hangar.contracts.ApiToken;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunRequest;
import dev.hangar.contracts.Topics;
import dev.hangar.gateway.auth.RunAdmission;
import dev.hangar.gateway.auth.TokenStore;
import dev.hangar.gateway.service.RunSubmissionService;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The bus entry for runs: a producer outside Hangar writes a {@link RunRequest} to
 * {@link Topics#RUNS_SUBMIT} with an {@code authorization: Bearer <token>} header, and the gateway
 * submits it exactly as {@code POST /v1/runs} would, as the token's owner (which needs the
 * {@code run} scope). A record without a valid token or with a bad request goes to
 * {@link Topics#RUNS_SUBMIT_DLQ} with its reason in {@code dead-letter-reason} — and without the
 * original headers, so a token never lands in the dead-letter topic. The record key, when it is a
 * valid idempotency key and the request has none, becomes one, so a redelivered record starts no
 * second run. One consumer group across replicas: each record is submitted once.
 */
@ApplicationScoped
public class RunSubmitConsumer {
    private static final Logger LOG = Logger.getLogger(RunSubmitConsumer.class);

    private final TokenStore tokens;
    private final RunAdmission admission;
    private final RunSubmissionService submissions;
    private final Emitter<String> deadLetters;

    public RunSubmitConsumer(TokenStore tokens, RunAdmission admission, RunSubmissionService submissions,
                             @Channel("run-submissions-dlq") Emitter<String> deadLetters) {
        this.tokens = tokens;
        this.admission = admission;
        this.submissions = submissions;
        this.deadLetters = deadLetters;
    }

    @Incoming("run-submissions")
    @Blocking(value = "hangar-submits", ordered = false) // records of different producers need no order among them
    public void onSubmit(ConsumerRecord<String, String> record) throws Exception {
        try {
            var token = tokens.entry(bearer(record)).orElseThrow(() -> new HangarException(ErrorCode.ERR_UNAUTHORIZED,
                    "the record's '" + Topics.AUTHORIZATION_HEADER + "' header must be `Bearer <token>` with a valid API token"));
            if (!token.scopes().contains(ApiToken.Scope.RUN)) {
                throw new HangarException(ErrorCode.ERR_SCOPE_MISSING, "submitting a run needs a token with the 'run' scope");
            }
            RunRequest request = withKey(Json.read(record.value(), RunRequest.class), record.key());
            admission.require(request, token.owner(), token.scopes());
            var accepted = submissions.submit(request, token.owner()).run();
            LOG.infof("bus submission %s/%d@%d accepted as run %s of %s", record.topic(), record.partition(), record.offset(),
                    accepted.executionId(), token.owner());
        } catch (HangarException e) {
            deadLetter(record, e.code() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            deadLetter(record, ErrorCode.ERR_COMMAND_INVALID + ": " + e.getMessage());
        }
    }

    private static String bearer(ConsumerRecord<String, String> record) {
        Header header = record.headers().lastHeader(Topics.AUTHORIZATION_HEADER);
        if (header == null || header.value() == null) {
            return null;
        }
        String value = new String(header.value(), StandardCharsets.UTF_8);
        return value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).strip() : null;
    }

    private static RunRequest withKey(RunRequest r, String key) {
        if (r == null || r.idempotencyKey() != null || key == null) {
            return r;
        }
        try {
            RunRequest.requireIdempotencyKey(key);
        } catch (HangarException notAKey) {
            return r;
        }
        return new RunRequest(r.ref(), r.adapter(), r.mode(), r.platform(), r.writePrefix(), r.inputs(), r.adapterOpts(), r.build(),
                r.timeoutSeconds(), key, r.plan(), r.attachments(), r.env());
    }

    /** The value as it came, the reason in a header; waits for Kafka to take it before the record is acknowledged. */
    private void deadLetter(ConsumerRecord<String, String> record, String reason) throws Exception {
        LOG.warnf("bus submission %s/%d@%d refused: %s", record.topic(), record.partition(), record.offset(), reason);
        var headers = new RecordHeaders().add(Topics.DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        var metadata = OutgoingKafkaRecordMetadata.<String>builder().withKey(record.key()).withHeaders(headers).build();
        var done = new java.util.concurrent.CompletableFuture<Void>();
        deadLetters.send(Message.of(record.value() == null ? "" : record.value()).addMetadata(metadata)
                .withAck(() -> {
                    done.complete(null);
                    return done;
                }).withNack(e -> {
                    done.completeExceptionally(e);
                    return java.util.concurrent.CompletableFuture.completedFuture(null);
                }));
        done.get(15, TimeUnit.SECONDS);
    }
}
