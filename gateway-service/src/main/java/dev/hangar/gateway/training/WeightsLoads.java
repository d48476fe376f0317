package dev.hangar.gateway.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.contracts.Attachments;
import dev.hangar.contracts.Checkpoint;
import dev.hangar.contracts.CheckpointPath;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Training;
import dev.hangar.gateway.checkpoints.Artefacts;
import dev.hangar.gateway.checkpoints.CheckpointService;
import dev.hangar.gateway.checkpoints.CheckpointStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code load_weights} of a checkpoint another session or a training run saved. The session's
 * container has no network, so the gateway resolves the path (the caller's own checkpoint, or a
 * published one; anything else is {@code ERR_CHECKPOINT_NOT_FOUND}, exactly as a path nobody has)
 * and hands the checkpoint's files to the call's run as input attachments, named in
 * {@code args.checkpoint.files}; the session processor loads them. A path of the calling session
 * itself stays the processor's: it holds what it saved (a save and a load sent back to back find
 * the save not registered yet). Only the gateway writes {@code args.checkpoint}.
 */
@ApplicationScoped
public class WeightsLoads {
    /** The call's arguments and the attachments its run takes. */
    public record Resolved(JsonNode args, Map<String, String> attachments) {}

    private final CheckpointService checkpoints;
    private final Artefacts artefacts;

    public WeightsLoads(CheckpointService checkpoints, Artefacts artefacts) {
        this.checkpoints = checkpoints;
        this.artefacts = artefacts;
    }

    public Resolved resolve(TrainingStore.Row session, JsonNode given) {
        ObjectNode args = ((ObjectNode) given).deepCopy();
        args.remove("checkpoint");
        JsonNode text = args.get("path");
        if (text == null || !text.isTextual() || text.asText().isBlank()) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "load_weights needs args.path, a weights checkpoint: "
                    + "hangar://<session_id or run_id>/weights/<name>");
        }
        CheckpointPath path = CheckpointPath.parse(text.asText());
        if (path.kind() != CheckpointPath.Kind.WEIGHTS) {
            throw new HangarException(ErrorCode.ERR_CHECKPOINT_PATH_INVALID, "'" + path + "' is a sampler checkpoint (the adapter "
                    + "alone); load_weights takes training state: hangar://" + path.runId() + "/weights/<name>");
        }
        if (path.runId().equals(session.sessionId())) {
            return new Resolved(args, null);
        }
        CheckpointStore.Row row = checkpoints.readable(path, session.owner());
        requireFits(row.checkpoint(), session);
        var files = Json.MAPPER.createObjectNode();
        var attachments = new LinkedHashMap<String, String>();
        for (CheckpointStore.StoredFile file : row.files()) {
            String name = "checkpoint-" + attachments.size();
            attachments.put(name, artefacts.copyAddressed(file.path(), file.name()).path());
            files.set(file.name(), Json.MAPPER.createObjectNode().put(Attachments.MARKER, name));
        }
        var checkpoint = Json.MAPPER.createObjectNode().put("path", path.toString());
        checkpoint.set("files", files);
        args.put("path", path.toString());
        args.set("checkpoint", checkpoint);
        return new Resolved(args, attachments);
    }

    /** The checkpoint's base model and adapter shape must be the session's (the seed only draws a fresh adapter). */
    private static void requireFits(Checkpoint checkpoint, TrainingStore.Row session) {
        if (!checkpoint.baseModel().equals(session.baseModel())) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, checkpoint.path() + " was trained on " + checkpoint.baseModel()
                    + ", this session's base model is " + session.baseModel() + "; load it into a session of " + checkpoint.baseModel());
        }
        Checkpoint.Lora saved = checkpoint.lora();
        Training.LoraConfig mine = session.lora();
        if (saved.rank() != mine.rank() || saved.trainMlp() != mine.trainMlp() || saved.trainAttn() != mine.trainAttn()
                || saved.trainUnembed() != mine.trainUnembed()) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, checkpoint.path() + " holds a LoRA adapter of rank " + saved.rank()
                    + " (train_mlp " + saved.trainMlp() + ", train_attn " + saved.trainAttn() + ", train_unembed " + saved.trainUnembed()
                    + "); this session's is rank " + mine.rank() + " (train_mlp " + mine.trainMlp() + ", train_attn " + mine.trainAttn()
                    + ", train_unembed " + mine.trainUnembed() + "): create the session with the checkpoint's LoRA config (weights_info)");
        }
    }
}
