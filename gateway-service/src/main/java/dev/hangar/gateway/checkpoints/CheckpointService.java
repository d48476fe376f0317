package dev.hangar.gateway.checkpoints;

import dev.hangar.contracts.Checkpoint;
import dev.hangar.contracts.CheckpointPath;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * What an owner may do with a checkpoint. Everything but reading is the owner's alone; reading
 * (info, archive, sampling with it) is also anyone's once it is published. Anything else is
 * answered {@link ErrorCode#ERR_CHECKPOINT_NOT_FOUND}, exactly as for a path nobody has, so another
 * owner learns nothing, not even that the path is taken.
 */
@ApplicationScoped
public class CheckpointService {
    private static final Logger LOG = Logger.getLogger(CheckpointService.class);
    private final CheckpointStore store;
    private final Artefacts artefacts;
    private final CheckpointsConfig config;

    public CheckpointService(CheckpointStore store, Artefacts artefacts, CheckpointsConfig config) {
        this.store = store;
        this.artefacts = artefacts;
        this.config = config;
    }

    /** The checkpoint if {@code owner} may read it: its own, or published. */
    public CheckpointStore.Row readable(CheckpointPath path, String owner) {
        return store.find(path).filter(r -> r.checkpoint().owner().equals(owner) || r.checkpoint().isPublic())
                .orElseThrow(() -> notFound(path));
    }

    /** The checkpoint if it is {@code owner}'s. */
    public CheckpointStore.Row owned(CheckpointPath path, String owner) {
        return store.find(path).filter(r -> r.checkpoint().owner().equals(owner)).orElseThrow(() -> notFound(path));
    }

    /**
     * The {@code .hlora} attachment a sampling run takes for {@code model_path}: a sampler checkpoint
     * the owner may read. Weights (training state) are not something a sampler loads.
     */
    public String samplerAttachment(CheckpointPath path, String owner) {
        if (path.kind() != CheckpointPath.Kind.SAMPLER_WEIGHTS) {
            throw new HangarException(ErrorCode.ERR_CHECKPOINT_PATH_INVALID, "'" + path + "' is training state (weights); "
                    + "sample from a sampler checkpoint, hangar://" + path.runId() + "/sampler_weights/<checkpoint_id>");
        }
        return readable(path, owner).checkpoint().attachment();
    }

    public Checkpoint.Page list(String owner, String runId, int limit, int offset) {
        if (runId != null) {
            CheckpointPath.requireRunId(runId);
        }
        if (limit < 0 || limit > config.listMax()) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "limit must be between 0 (all) and " + config.listMax() + ", got " + limit);
        }
        if (offset < 0) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "offset must be 0 or more, got " + offset);
        }
        return store.list(owner, runId, limit, offset, config.listMax());
    }

    public Checkpoint publish(CheckpointPath path, String owner, boolean published) {
        if (!store.setPublic(path, owner, published)) {
            throw notFound(path);
        }
        return owned(path, owner).checkpoint();
    }

    /** Expires the checkpoint {@code ttlSeconds} from now; null keeps it until it is deleted. */
    public Checkpoint setTtl(CheckpointPath path, String owner, Long ttlSeconds) {
        if (ttlSeconds != null && (ttlSeconds < 1 || ttlSeconds > config.maxTtlSeconds())) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "ttl_seconds must be between 1 and " + config.maxTtlSeconds()
                    + " (or null to remove the TTL), got " + ttlSeconds);
        }
        Instant expires = ttlSeconds == null ? null : Instant.now().plusSeconds(ttlSeconds);
        if (!store.setExpiry(path, owner, expires)) {
            throw notFound(path);
        }
        return owned(path, owner).checkpoint();
    }

    /** Removes the checkpoint and its stored bytes. */
    public void delete(CheckpointPath path, String owner) {
        CheckpointStore.Row row = store.delete(path, owner).orElseThrow(() -> notFound(path));
        removeArtefacts(row);
    }

    /** Deletes every expired checkpoint (of any owner) from the table and S3; returns how many. */
    public int deleteExpired(Instant now) {
        int deleted = 0;
        for (CheckpointPath path : store.expired(now, config.sweepBatch())) {
            var row = store.delete(path, null);
            if (row.isPresent()) {
                removeArtefacts(row.get());
                deleted++;
            }
        }
        return deleted;
    }

    /**
     * The row is gone first, so nobody is handed a checkpoint whose bytes are going; a content-addressed
     * object another checkpoint shares (identical bytes) stays. An object that cannot be deleted now is
     * logged and left behind: it is unreachable through the API.
     */
    private void removeArtefacts(CheckpointStore.Row row) {
        var paths = new ArrayList<String>();
        row.files().forEach(f -> paths.add(f.path()));
        for (String shared : sharedPaths(row)) {
            if (!store.stillUsed(shared)) {
                paths.add(shared);
            }
        }
        for (String p : paths) {
            try {
                artefacts.delete(p);
            } catch (RuntimeException e) {
                LOG.warnf("checkpoint %s: could not delete %s (%s); it is left behind", row.path(), p, e.getMessage());
            }
        }
    }

    private static List<String> sharedPaths(CheckpointStore.Row row) {
        var shared = new ArrayList<String>();
        if (row.checkpoint().attachment() != null) {
            shared.add(row.checkpoint().attachment());
        }
        if (row.archive() != null) {
            shared.add(row.archive().path());
        }
        return shared;
    }

    static HangarException notFound(CheckpointPath path) {
        return new HangarException(ErrorCode.ERR_CHECKPOINT_NOT_FOUND, "no checkpoint of yours (nor a published one) is at " + path);
    }
}
