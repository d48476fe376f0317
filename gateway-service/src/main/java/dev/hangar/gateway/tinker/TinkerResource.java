package dev.hangar.gateway.tinker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.contracts.ContentId;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Tinker;
import dev.hangar.contracts.Training;
import dev.hangar.gateway.auth.Caller;
import dev.hangar.gateway.training.TrainingService;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Tinker's training REST surface (docs/tinker-api.md), over the same training sessions as
 * {@code /v1/training}: a Tinker model is a training session, a request id is the run id of the
 * call, {@code retrieve_future} answers {@code try_again} with {@code retry_after_ms} while the
 * run is in flight, then the op's result in Tinker's shape or a RequestFailedResponse with
 * Hangar's stable code. {@code x-idempotency-key} makes a retried POST return the first future.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TinkerResource {
    static final String IDEMPOTENCY = "x-idempotency-key";

    private final TrainingService training;
    private final TinkerSessions sessions;
    private final TinkerSampling sampling;
    private final Caller caller;
    private final long retryAfterMs;
    private final dev.hangar.gateway.checkpoints.CheckpointService checkpoints;

    public TinkerResource(TrainingService training, TinkerSessions sessions, TinkerSampling sampling, Caller caller,
                          dev.hangar.gateway.config.GatewayConfig config, dev.hangar.gateway.checkpoints.CheckpointService checkpoints) {
        this.training = training;
        this.checkpoints = checkpoints;
        this.sessions = sessions;
        this.sampling = sampling;
        this.caller = caller;
        this.retryAfterMs = config.training().retryAfter().toMillis();
    }

    @GET
    @Path("/healthz")
    public Map<String, String> health() {
        return Map.of("status", "ok");
    }

    @GET
    @Path("/get_server_capabilities")
    public Tinker.ServerCapabilities capabilities() {
        return new Tinker.ServerCapabilities(training.baseModels().stream().map(Tinker.SupportedModel::new).toList());
    }

    @POST
    @Path("/create_session")
    public Tinker.CreateSessionResponse createSession(Tinker.CreateSessionRequest request, @HeaderParam(IDEMPOTENCY) String key) {
        String id = sessions.create(caller.owner(), request == null ? List.of() : request.tags(), keyOf(key));
        return new Tinker.CreateSessionResponse("create_session", "Hangar training sessions (docs/tinker-api.md)", id);
    }

    @POST
    @Path("/session_heartbeat")
    public Tinker.SessionHeartbeatResponse heartbeat(Tinker.SessionHeartbeatRequest request) {
        sessions.heartbeat(caller.owner(), request == null ? null : request.sessionId());
        return new Tinker.SessionHeartbeatResponse("session_heartbeat");
    }

    @POST
    @Path("/create_model")
    public Tinker.UntypedFuture createModel(Tinker.CreateModelRequest request, @HeaderParam(IDEMPOTENCY) String key) {
        if (request == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "send a CreateModelRequest: {session_id, base_model, lora_config}");
        }
        String client = request.sessionId() == null ? null : sessions.require(caller.owner(), request.sessionId());
        var info = training.create(caller.owner(), new Training.CreateSession(request.baseModel(), request.loraConfig(),
                keyOf(key)), client);
        return new Tinker.UntypedFuture(info.created().futureId(), info.sessionId());
    }

    @POST
    @Path("/forward")
    public Tinker.UntypedFuture forward(Tinker.ForwardBackwardRequest request, @HeaderParam(IDEMPOTENCY) String key) {
        var input = request == null ? null : request.forwardInput() != null ? request.forwardInput() : request.forwardBackwardInput();
        return call(request == null ? null : request.modelId(), Training.Op.FORWARD, "forward_input", input, key);
    }

    @POST
    @Path("/forward_backward")
    public Tinker.UntypedFuture forwardBackward(Tinker.ForwardBackwardRequest request, @HeaderParam(IDEMPOTENCY) String key) {
        return call(request == null ? null : request.modelId(), Training.Op.FORWARD_BACKWARD, "forward_backward_input",
                request == null ? null : request.forwardBackwardInput(), key);
    }

    @POST
    @Path("/optim_step")
    public Tinker.UntypedFuture optimStep(Tinker.OptimStepRequest request, @HeaderParam(IDEMPOTENCY) String key) {
        return call(request == null ? null : request.modelId(), Training.Op.OPTIM_STEP, "adam_params",
                request == null || request.adamParams() == null ? Map.of() : request.adamParams(), key);
    }

    @POST
    @Path("/save_weights")
    public Tinker.UntypedFuture saveWeights(Tinker.SaveWeightsRequest request, @HeaderParam(IDEMPOTENCY) String key) {
        return call(request == null ? null : request.modelId(), Training.Op.SAVE_WEIGHTS, "path", nameOf(request), key);
    }

    @POST
    @Path("/save_weights_for_sampler")
    public Tinker.UntypedFuture saveWeightsForSampler(Tinker.SaveWeightsRequest request, @HeaderParam(IDEMPOTENCY) String key) {
        return call(request == null ? null : request.modelId(), Training.Op.SAVE_WEIGHTS_FOR_SAMPLER, "path", nameOf(request), key);
    }

    @POST
    @Path("/load_weights")
    public Tinker.UntypedFuture loadWeights(Tinker.LoadWeightsRequest request, @HeaderParam(IDEMPOTENCY) String key) {
        if (request == null || request.path() == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "load_weights needs model_id and path (hangar://SESSION/weights/NAME)");
        }
        ObjectNode args = Json.MAPPER.createObjectNode();
        args.put("path", TinkerCheckpointPaths.hangar(request.path())); // tinker:// is the same path
        args.put("optimizer", request.optimizer() == null || request.optimizer());
        return submit(request.modelId(), Training.Op.LOAD_WEIGHTS, args, key);
    }

    @POST
    @Path("/unload_model")
    public Map<String, String> unloadModel(Map<String, String> request) {
        String model = request == null ? null : request.get("model_id");
        training.close(caller.owner(), model);
        return Map.of("model_id", String.valueOf(model), "type", "unload_model");
    }

    @POST
    @Path("/weights_info")
    public Tinker.WeightsInfoResponse weightsInfo(Tinker.WeightsInfoRequest request) {
        var path = TinkerCheckpointPaths.parse(request == null ? null : request.path());
        try {
            var lora = checkpoints.readable(path, caller.owner()).checkpoint();
            return new Tinker.WeightsInfoResponse(lora.baseModel(), true, lora.lora().rank(), lora.lora().trainMlp(),
                    lora.lora().trainAttn(), lora.lora().trainUnembed());
        } catch (HangarException notRegistered) {
            // a save of the caller's session whose future nobody has retrieved yet: the session knows its LoRA config
            if (notRegistered.code() != ErrorCode.ERR_CHECKPOINT_NOT_FOUND || !path.runId().startsWith("ts_")) {
                throw notRegistered;
            }
            Training.SessionInfo info;
            try {
                info = training.get(caller.owner(), path.runId());
            } catch (HangarException noSession) {
                throw notRegistered;
            }
            var lora = info.loraConfig();
            return new Tinker.WeightsInfoResponse(info.baseModel(), true, lora.rank(), lora.trainMlp(), lora.trainAttn(),
                    lora.trainUnembed());
        }
    }

    @POST
    @Path("/create_sampling_session")
    public Tinker.CreateSamplingSessionResponse createSamplingSession(Tinker.CreateSamplingSessionRequest request) {
        return new Tinker.CreateSamplingSessionResponse("create_sampling_session", sampling.createSession(caller.owner(), request));
    }

    /** A future whose request id is the sampling run; {@code retrieve_future} answers Tinker's SampleResponse. */
    @POST
    @Path("/asample")
    @RunOnVirtualThread
    public Tinker.UntypedFuture asample(Tinker.SampleRequest request, @HeaderParam(IDEMPOTENCY) String key) {
        return new Tinker.UntypedFuture(sampling.asample(caller.owner(), caller.scopes(), request, keyOf(key)), null);
    }

    /** Pending: try_again with retry_after_ms; completed: the op's result; failed: RequestFailedResponse with the code. */
    @POST
    @Path("/retrieve_future")
    public Object retrieveFuture(Tinker.RetrieveFutureRequest request) {
        if (request == null || request.requestId() == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "retrieve_future needs request_id");
        }
        Training.FutureResult result;
        try {
            result = training.future(caller.owner(), request.requestId());
        } catch (HangarException notTraining) {
            if (notTraining.code() != ErrorCode.ERR_SESSION_NOT_FOUND) {
                throw notTraining;
            }
            try {
                return sampling.future(caller.owner(), request.requestId(), retryAfterMs);
            } catch (HangarException notSampling) {
                if (notSampling.code() == ErrorCode.ERR_RUN_NOT_FOUND) {
                    throw notTraining; // neither a call nor a sample of the caller's: one answer for both
                }
                throw notSampling;
            }
        }
        return switch (result.status()) {
            case PENDING -> Tinker.TryAgain.of(request.requestId(), retryAfterMs);
            case FAILED -> Tinker.RequestFailed.of(result.error().code(), result.error().message());
            case COMPLETED -> result.result();
        };
    }

    // ---- steps

    private Tinker.UntypedFuture call(String model, Training.Op op, String field, Object value, String key) {
        if (value == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, op.wire() + " needs model_id and " + field);
        }
        ObjectNode args = Json.MAPPER.createObjectNode();
        args.set(field, Json.MAPPER.valueToTree(value));
        return submit(model, op, args, key);
    }

    private Tinker.UntypedFuture submit(String model, Training.Op op, JsonNode args, String key) {
        if (model == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, op.wire() + " needs model_id (the id create_model answered)");
        }
        var future = training.call(caller.owner(), model, op, new Training.Call(args, keyOf(key)));
        return new Tinker.UntypedFuture(future.futureId(), model);
    }

    /** A checkpoint name: the request's path, else one from its seq_id. */
    private static String nameOf(Tinker.SaveWeightsRequest request) {
        if (request == null) {
            return null;
        }
        if (request.path() != null && !request.path().isBlank()) {
            return request.path();
        }
        return request.seqId() != null ? "seq-" + request.seqId() : "ckpt-" + System.currentTimeMillis();
    }

    /** Tinker's keys are free-form: a digest of one fits Hangar's key rule whatever it holds. */
    static String keyOf(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        return "tk-" + ContentId.of(header.getBytes(StandardCharsets.UTF_8)).replace("sha256:", "").substring(0, 40);
    }
}
