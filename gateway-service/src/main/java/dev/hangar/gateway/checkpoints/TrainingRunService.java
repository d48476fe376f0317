package dev.hangar.gateway.checkpoints;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.contracts.Attachments;
import dev.hangar.contracts.Checkpoint;
import dev.hangar.contracts.CheckpointPath;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.RunAccepted;
import dev.hangar.contracts.RunRequest;
import dev.hangar.contracts.TrainingRun;
import dev.hangar.gateway.auth.ArtifactAccess;
import dev.hangar.gateway.service.RunSubmissionService;
import dev.hangar.gateway.service.SubmitAdmission;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Starts a training run: a run of the base model's trainer processor with the dataset attachment
 * (the caller's own upload) and, for {@code model_path}, the start checkpoint's {@code .hlora}
 * (the caller's or published, checked here rather than by the per-upload owner check), plus the
 * row that makes it a training run. Everything a run is checked for, it is checked for too.
 */
@ApplicationScoped
public class TrainingRunService {
    static final int MAX_STEPS = 10_000;
    static final int DEFAULT_RANK = 32; // Tinker's

    private final BaseModels models;
    private final CheckpointService checkpoints;
    private final CheckpointStore store;
    private final ArtifactAccess artifacts;
    private final RunSubmissionService submissions;
    private final SubmitAdmission load;

    public TrainingRunService(BaseModels models, CheckpointService checkpoints, CheckpointStore store, ArtifactAccess artifacts,
                              RunSubmissionService submissions, SubmitAdmission load) {
        this.models = models;
        this.checkpoints = checkpoints;
        this.store = store;
        this.artifacts = artifacts;
        this.submissions = submissions;
        this.load = load;
    }

    /** The run as started (or as its idempotency key started it before). */
    public TrainingRun create(TrainingRun.Create request, String owner) {
        if (request == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "the request body is empty; send {\"base_model\", \"dataset\", \"steps\", …}");
        }
        int steps = requireSteps(request);
        var attachments = new LinkedHashMap<String, String>();
        if (request.dataset() != null) {
            attachments.put("dataset", request.dataset());
            artifacts.requireAttachable(attachments, owner);
        }
        ObjectNode inputs = Json.MAPPER.createObjectNode().put("steps", steps);
        String baseModel = request.baseModel();
        Checkpoint.Lora lora;
        if (request.modelPath() != null) {
            var start = checkpoints.readable(CheckpointPath.parse(request.modelPath()), owner).checkpoint();
            if (start.checkpointType() != CheckpointPath.Kind.SAMPLER_WEIGHTS || start.attachment() == null) {
                throw new HangarException(ErrorCode.ERR_CHECKPOINT_PATH_INVALID, "model_path must be a sampler checkpoint "
                        + "(hangar://<run_id>/sampler_weights/<id>), not " + start.path());
            }
            if (baseModel != null && !baseModel.equals(start.baseModel())) {
                throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "model_path " + start.path() + " was trained on "
                        + start.baseModel() + ", not base_model " + baseModel + "; leave base_model out or make them agree");
            }
            baseModel = start.baseModel();
            lora = start.lora();
            attachments.put("adapter", start.attachment());
            inputs.set("adapter", attach("adapter"));
        } else {
            lora = new Checkpoint.Lora(request.rank() == null ? DEFAULT_RANK : request.rank(), request.seed() == null ? 0 : request.seed(),
                    !Boolean.FALSE.equals(request.trainMlp()), !Boolean.FALSE.equals(request.trainAttn()),
                    !Boolean.FALSE.equals(request.trainUnembed()));
            inputs.put("rank", lora.rank()).put("seed", lora.seed()).put("train_mlp", lora.trainMlp())
                    .put("train_attn", lora.trainAttn()).put("train_unembed", lora.trainUnembed());
        }
        ProcessorRef trainer = models.trainer(baseModel);
        if (request.dataset() != null) {
            inputs.set("dataset", attach("dataset"));
        }
        if (request.learningRate() != null) {
            inputs.put("learning_rate", request.learningRate());
        }
        if (request.batchSize() != null) {
            inputs.put("batch_size", request.batchSize());
        }
        if (request.checkpointEvery() != null) {
            inputs.put("checkpoint_every", request.checkpointEvery());
        }
        // the model's mode unless asked, so an adapter fits the sampler that will load it (a mock one is the tiny model)
        var mode = request.mode() != null ? request.mode() : models.mode(baseModel);
        var run = new RunRequest(trainer.toString(), null, mode, null, null, inputs, null, null, null,
                request.idempotencyKey(), null, attachments);
        RunAccepted accepted = load.submitting(() -> submissions.submit(run, owner)).run();
        store.insertTrainingRun(accepted.executionId(), owner, baseModel, lora, steps);
        return new TrainingRun(accepted.executionId(), owner, baseModel, lora, steps, accepted.status(), null, Instant.now(), null,
                accepted.streamUrl());
    }

    public TrainingRun get(String runId, String owner) {
        return store.findTrainingRun(CheckpointPath.requireRunId(runId), owner)
                .orElseThrow(() -> new HangarException(ErrorCode.ERR_RUN_NOT_FOUND, "no training run " + runId + " of yours"));
    }

    public List<TrainingRun> list(String owner, int limit) {
        if (limit < 1 || limit > 1000) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "limit must be between 1 and 1000, got " + limit);
        }
        return store.listTrainingRuns(owner, limit);
    }

    /** A page of the owner's training runs, newest first, and how many there are (Tinker's cursor). */
    public Page page(String owner, int limit, int offset) {
        if (limit < 1 || limit > 1000) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "limit must be between 1 and 1000, got " + limit);
        }
        if (offset < 0) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "offset must be 0 or more, got " + offset);
        }
        return new Page(store.listTrainingRuns(owner, limit, offset), store.countTrainingRuns(owner));
    }

    /** One page of training runs and the count of all of the owner's. */
    public record Page(List<TrainingRun> runs, long total) {}

    private static int requireSteps(TrainingRun.Create request) {
        if (request.steps() == null || request.steps() < 0 || request.steps() > MAX_STEPS) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "steps must be between 0 and " + MAX_STEPS
                    + " (0 saves the starting adapter untrained), got " + request.steps());
        }
        if (request.steps() > 0 && request.dataset() == null) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "dataset is required to train (steps > 0): upload a JSONL file "
                    + "with POST /v1/attachments and pass its path");
        }
        if (request.dataset() != null) {
            Attachments.containerPath("dataset", request.dataset());
        }
        return request.steps();
    }

    private static ObjectNode attach(String name) {
        return Json.MAPPER.createObjectNode().put(Attachments.MARKER, name);
    }
}
