package dev.hangar.gateway.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.RunRequest;
import dev.hangar.contracts.RunStatus;
import dev.hangar.contracts.Training;
import dev.hangar.gateway.checkpoints.CheckpointRegistrar;
import dev.hangar.gateway.config.GatewayConfig;
import dev.hangar.gateway.sampling.ModelsConfig;
import dev.hangar.gateway.config.TrainingConfig;
import dev.hangar.gateway.service.RunSubmissionService;
import dev.hangar.gateway.store.RunStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Training sessions (docs/training-sessions.md): a session is a row here plus a warm container of
 * the session processor that holds its model; each call is a run of that processor submitted
 * with the session's affinity, so a call's future is that run. Owner checks: every lookup names
 * the owner, and another owner's session or future is ERR_SESSION_NOT_FOUND.
 */
@ApplicationScoped
public class TrainingService {
    private static final Logger LOG = Logger.getLogger(TrainingService.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final TrainingStore store;
    private final RunSubmissionService submissions;
    private final RunStore runs;
    private final FutureResults results;
    private final GatewayConfig gateway;
    private final TrainingConfig config;
    private final Map<String, ProcessorRef> models;
    private final Map<String, Mode> modes;
    private final WeightsLoads loads;
    private final CheckpointRegistrar registrar;

    public TrainingService(TrainingStore store, RunSubmissionService submissions, RunStore runs, FutureResults results,
                           GatewayConfig gateway, ModelsConfig baseModels, WeightsLoads loads, CheckpointRegistrar registrar) {
        this.store = store;
        this.loads = loads;
        this.registrar = registrar;
        this.submissions = submissions;
        this.runs = runs;
        this.results = results;
        this.gateway = gateway;
        this.config = gateway.training();
        var models = new java.util.TreeMap<String, ProcessorRef>();
        var modes = new java.util.HashMap<String, Mode>();
        baseModels.byId().forEach((id, model) -> model.session().ifPresent(ref -> {
            models.put(id, ProcessorRef.parse(ref));
            modes.put(id, model.mode());
        }));
        this.models = java.util.Collections.unmodifiableMap(models);
        this.modes = Map.copyOf(modes);
    }

    /** The base models sessions may start from. */
    public java.util.Set<String> baseModels() {
        return models.keySet();
    }

    /** create_model: the session row, then its create call; {@code clientSession} is the Tinker session it belongs to, if any. */
    public Training.SessionInfo create(String owner, Training.CreateSession request, String clientSession) {
        if (request == null || request.baseModel() == null || request.baseModel().isBlank()) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "base_model is required; one of " + models.keySet());
        }
        ProcessorRef ref = models.get(request.baseModel());
        if (ref == null) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "base_model '" + request.baseModel()
                    + "' is not offered here; use one of " + models.keySet());
        }
        var lora = (request.loraConfig() == null ? new Training.LoraConfig(null, null, null, null, null) : request.loraConfig())
                .requireValid();
        String key = RunRequest.requireIdempotencyKey(request.idempotencyKey());
        if (key != null) {
            var earlier = store.byIdempotencyKey(owner, key);
            if (earlier.isPresent()) {
                return info(earlier.get());
            }
        }
        if (store.openOf(owner) >= config.maxSessionsPerOwner()) {
            throw new HangarException(ErrorCode.ERR_RATE_LIMITED, "you hold " + config.maxSessionsPerOwner()
                    + " open training sessions (hangar.gateway.training.max-sessions-per-owner); close one first");
        }
        String id = newSessionId();
        var row = new TrainingStore.Row(id, owner, request.baseModel(), ref.toString(), lora, Training.SessionStatus.OPEN,
                clientSession, null, Instant.now(), Instant.now(), null);
        if (!store.insert(row, key)) {
            return info(store.byIdempotencyKey(owner, key).orElseThrow()); // a concurrent twin with the same key won
        }
        ObjectNode args = Json.MAPPER.createObjectNode();
        args.put("base_model", request.baseModel());
        args.set("lora_config", Json.MAPPER.valueToTree(lora));
        try {
            var future = submit(row, Training.Op.CREATE, args, key == null ? null : "create", null);
            store.setCreatedFuture(id, future.futureId());
        } catch (RuntimeException e) {
            store.delete(id); // nothing was queued: no session either
            throw e;
        }
        return info(store.find(id, owner).orElseThrow());
    }

    /** A call on an open session: a run of the session processor; its id is the future's. */
    public Training.Future call(String owner, String sessionId, Training.Op op, Training.Call call) {
        if (op == Training.Op.CREATE || op == Training.Op.CLOSE) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, op.wire() + " is not a call: create a session with "
                    + "POST /v1/training/sessions, close it with POST /v1/training/sessions/{id}/close");
        }
        var row = open(owner, sessionId);
        JsonNode args = call == null || call.args() == null ? Json.MAPPER.createObjectNode() : call.args();
        if (!args.isObject()) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "args must be a JSON object, not " + args.getNodeType());
        }
        String key = call == null ? null : RunRequest.requireIdempotencyKey(call.idempotencyKey());
        Training.Future future;
        if (op == Training.Op.LOAD_WEIGHTS) {
            var load = loads.resolve(row, args); // checked and resolved before anything runs
            future = submit(row, op, load.args(), key, load.attachments());
        } else {
            future = submit(row, op, args, key, null);
        }
        store.heartbeat(sessionId, owner); // a call is a sign of life too
        return future;
    }

    public Training.SessionInfo heartbeat(String owner, String sessionId) {
        var row = open(owner, sessionId);
        store.heartbeat(sessionId, owner);
        return info(store.find(row.sessionId(), owner).orElseThrow());
    }

    public Training.SessionInfo get(String owner, String sessionId) {
        var row = find(owner, sessionId);
        if (row.expiredBy(Instant.now(), config.heartbeatTimeout())) {
            expire(row);
            row = find(owner, sessionId);
        }
        return info(row);
    }

    /** Closes a session: its state is dropped and its container freed; closing twice is no error. */
    public Training.SessionInfo close(String owner, String sessionId) {
        var row = find(owner, sessionId);
        if (store.end(sessionId, Training.SessionStatus.CLOSED)) {
            end(row);
        }
        return info(find(owner, sessionId));
    }

    /** A future: pending while its run is queued or running, then the op's result or the run's error. */
    public Training.FutureResult future(String owner, String futureId) {
        var call = store.call(futureId, owner).orElseThrow(() -> new HangarException(ErrorCode.ERR_SESSION_NOT_FOUND,
                "no training future has the id '" + futureId + "' (or it is not yours)"));
        var run = runs.find(futureId, owner).orElseThrow(() -> new HangarException(ErrorCode.ERR_SESSION_NOT_FOUND,
                "no training future has the id '" + futureId + "'"));
        if (!run.status().terminal()) {
            return new Training.FutureResult(futureId, call.sessionId(), call.op(), Training.FutureStatus.PENDING, null, null);
        }
        if (run.status() != RunStatus.SUCCESS) {
            var error = run.error() != null ? run.error()
                    : new dev.hangar.contracts.Envelope.Error(ErrorCode.ERR_CANCELED, "the call's run was canceled", null);
            return new Training.FutureResult(futureId, call.sessionId(), call.op(), Training.FutureStatus.FAILED, null,
                    new dev.hangar.contracts.Envelope.Error(error.code(), error.message(), null));
        }
        if (call.op() == Training.Op.SAVE_WEIGHTS || call.op() == Training.Op.SAVE_WEIGHTS_FOR_SAMPLER) {
            try {
                registrar.registerSessionCall(futureId); // a completed save is a listed, loadable checkpoint
            } catch (HangarException e) {
                LOG.warnf("registering the checkpoint of %s: %s; the future stays pending until it is", futureId, e.getMessage());
                return new Training.FutureResult(futureId, call.sessionId(), call.op(), Training.FutureStatus.PENDING, null, null);
            }
        }
        var result = results.result(run);
        if (result.isEmpty()) {
            return new Training.FutureResult(futureId, call.sessionId(), call.op(), Training.FutureStatus.FAILED, null,
                    new dev.hangar.contracts.Envelope.Error(ErrorCode.ERR_PROCESSOR_FAILED,
                            "the call's run ended without its result (output.json)", null));
        }
        return new Training.FutureResult(futureId, call.sessionId(), call.op(), Training.FutureStatus.COMPLETED, result.get(), null);
    }

    /** Ends every session whose heartbeats stopped (called by {@link SessionExpiry}); returns how many. */
    public int expireStale() {
        var stale = store.expire(config.heartbeatTimeout());
        stale.forEach(this::end);
        return stale.size();
    }

    // ---- steps

    private TrainingStore.Row find(String owner, String sessionId) {
        Training.requireSessionId(sessionId);
        return store.find(sessionId, owner).orElseThrow(() -> new HangarException(ErrorCode.ERR_SESSION_NOT_FOUND,
                "no training session has the id '" + sessionId + "' (or it is not yours)"));
    }

    private TrainingStore.Row open(String owner, String sessionId) {
        var row = find(owner, sessionId);
        if (row.expiredBy(Instant.now(), config.heartbeatTimeout())) {
            expire(row);
            row = find(owner, sessionId);
        }
        if (row.status() != Training.SessionStatus.OPEN) {
            throw new HangarException(ErrorCode.ERR_SESSION_CLOSED, "training session " + sessionId + " is " + row.status().wire()
                    + (row.status() == Training.SessionStatus.EXPIRED ? " (no heartbeat for " + config.heartbeatTimeout().toSeconds()
                    + " s)" : "") + "; create a new one and load your saved weights");
        }
        return row;
    }

    private void expire(TrainingStore.Row row) {
        if (store.end(row.sessionId(), Training.SessionStatus.EXPIRED)) {
            end(row);
        }
    }

    /** The session's last run: the processor drops its state and the executor removes its container. */
    private void end(TrainingStore.Row row) {
        try {
            submit(row, Training.Op.CLOSE, Json.MAPPER.createObjectNode(), null, null);
        } catch (HangarException e) {
            // the container goes at its idle_seconds all the same
            LOG.warnf("closing training session %s: %s", row.sessionId(), e.getMessage());
        }
    }

    private Training.Future submit(TrainingStore.Row row, Training.Op op, JsonNode args, String idempotencyKey,
                                   Map<String, String> attachments) {
        var inputs = Json.MAPPER.valueToTree(new Training.Inputs(row.sessionId(), op, args));
        // keys are per owner across all runs: scope a call's key to its session
        String key = idempotencyKey == null ? null : RunRequest.requireIdempotencyKey(row.sessionId() + ":" + idempotencyKey);
        var request = new RunRequest(row.processorRef(), null, modes.getOrDefault(row.baseModel(), Mode.REAL), null,
                "/artifacts/training/" + row.sessionId() + "/{execution_id}/", (JsonNode) inputs, null, null, null, key, null, attachments);
        var submission = submissions.submit(request, row.owner(),
                new RunSubmissionService.Affinity(row.sessionId(), op.wire(), op == Training.Op.CLOSE));
        var accepted = submission.run();
        return new Training.Future(accepted.executionId(), row.sessionId(), op, accepted.runUrl(), accepted.streamUrl());
    }

    private Training.SessionInfo info(TrainingStore.Row row) {
        String base = gateway.publicUrl() + "/v1/runs/";
        Training.Future created = row.createdFuture() == null ? null : new Training.Future(row.createdFuture(), row.sessionId(),
                Training.Op.CREATE, base + row.createdFuture(), (base + row.createdFuture()).replaceFirst("^http", "ws") + "/stream");
        return new Training.SessionInfo(row.sessionId(), row.baseModel(), row.lora(), row.status(), row.createdAt(),
                row.lastHeartbeatAt(), row.closedAt(), (int) config.heartbeatTimeout().toSeconds(), created);
    }

    static String newSessionId() {
        var id = new StringBuilder("ts_");
        for (int i = 0; i < 24; i++) {
            id.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return id.toString();
    }
}
