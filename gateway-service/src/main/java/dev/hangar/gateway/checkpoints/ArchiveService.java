package dev.hangar.gateway.checkpoints;

import dev.hangar.contracts.Checkpoint;
import dev.hangar.contracts.CheckpointPath;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.Presign;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * A checkpoint's download archive: a {@code .tar.gz} of its files under one folder named by the
 * checkpoint id, built once and stored content-addressed (so its path names its sha256), then
 * handed out as a short-lived presigned URL. Concurrent requests share one build: in this replica
 * they join the same future, across replicas they queue on a database advisory lock and find the
 * archive stored when they get it. Nobody is ever told to come back later. The archive is
 * deterministic (fixed times, owner and modes), so a rebuild gives the same bytes and path.
 */
@ApplicationScoped
public class ArchiveService {
    private final CheckpointService checkpoints;
    private final CheckpointStore store;
    private final Artefacts artefacts;
    private final CheckpointsConfig config;
    private final ConcurrentHashMap<CheckpointPath, CompletableFuture<CheckpointStore.StoredArchive>> building = new ConcurrentHashMap<>();

    public ArchiveService(CheckpointService checkpoints, CheckpointStore store, Artefacts artefacts, CheckpointsConfig config) {
        this.checkpoints = checkpoints;
        this.store = store;
        this.artefacts = artefacts;
        this.config = config;
    }

    /** Where {@code owner} downloads the archive of a checkpoint it may read. */
    public Checkpoint.Archive archive(CheckpointPath path, String owner) {
        CheckpointStore.Row row = checkpoints.readable(path, owner);
        CheckpointStore.StoredArchive stored = row.archive() != null ? row.archive() : built(path);
        Presign.Url url = artefacts.presignGet(stored.path(), config.archiveUrlSeconds());
        return new Checkpoint.Archive(path.toString(), url.url(), url.expiresAt(), stored.sha256(), stored.sizeBytes(), stored.filename());
    }

    private CheckpointStore.StoredArchive built(CheckpointPath path) {
        var mine = new CompletableFuture<CheckpointStore.StoredArchive>();
        var running = building.putIfAbsent(path, mine);
        if (running != null) {
            return join(running);
        }
        try {
            mine.complete(store.withArchiveLock(path, () -> {
                var row = store.find(path).orElseThrow(() -> CheckpointService.notFound(path));
                if (row.archive() != null) {
                    return row.archive(); // another replica built it while we waited for the lock
                }
                var archive = build(row);
                store.setArchive(path, archive);
                return archive;
            }));
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
        } finally {
            building.remove(path, mine);
        }
        return join(mine);
    }

    private static CheckpointStore.StoredArchive join(CompletableFuture<CheckpointStore.StoredArchive> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    CheckpointStore.StoredArchive build(CheckpointStore.Row row) {
        String filename = row.path().runId() + "_" + row.path().kind().wire() + "_" + row.path().checkpointId() + ".tar.gz";
        Path tmp = null;
        try {
            tmp = Files.createTempFile("checkpoint-", ".tar.gz");
            try (OutputStream file = Files.newOutputStream(tmp);
                 var gzip = new GzipCompressorOutputStream(file);
                 var tar = new TarArchiveOutputStream(gzip)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.putArchiveEntry(folder(row.path().checkpointId() + "/"));
                tar.closeArchiveEntry();
                for (CheckpointStore.StoredFile f : row.files()) {
                    var entry = new TarArchiveEntry(row.path().checkpointId() + "/" + f.name());
                    entry.setSize(f.sizeBytes());
                    entry.setMode(0100644);
                    fixed(entry);
                    tar.putArchiveEntry(entry);
                    try (InputStream in = artefacts.open(f.path())) {
                        long copied = in.transferTo(tar);
                        if (copied != f.sizeBytes()) {
                            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, f.path() + " is " + copied
                                    + " bytes in storage, not the " + f.sizeBytes() + " its run recorded");
                        }
                    }
                    tar.closeArchiveEntry();
                }
                tar.finish();
            }
            OutputRef stored;
            try (InputStream in = Files.newInputStream(tmp)) {
                stored = artefacts.storeAddressed(filename, in);
            }
            return new CheckpointStore.StoredArchive(stored.path(), stored.cid().substring("sha256:".length()), stored.sizeBytes(), filename);
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "building the archive of " + row.path() + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    private static TarArchiveEntry folder(String name) {
        var entry = new TarArchiveEntry(name);
        entry.setMode(040755);
        fixed(entry);
        return entry;
    }

    private static void fixed(TarArchiveEntry entry) {
        entry.setModTime(new Date(0));
        entry.setUserId(0);
        entry.setGroupId(0);
        entry.setUserName("hangar");
        entry.setGroupName("hangar");
    }
}
