package dev.hangar.gateway.checkpoints;

import dev.hangar.contracts.Checkpoint;
import dev.hangar.contracts.CheckpointPath;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.gateway.auth.Caller;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.ResponseStatus;

/**
 * Checkpoints: list, info, publish, TTL, delete, archive. A checkpoint is named by its
 * {@code hangar://…} path, which holds '/' and ':', so it travels in the query ({@code ?path=}) or
 * the body, never as a URL segment. Blocking (JDBC, storage calls): worker threads.
 */
@Path("/v1/checkpoints")
@Produces(MediaType.APPLICATION_JSON)
public class CheckpointResource {
    private final CheckpointService checkpoints;
    private final ArchiveService archives;
    private final Caller caller;

    public CheckpointResource(CheckpointService checkpoints, ArchiveService archives, Caller caller) {
        this.checkpoints = checkpoints;
        this.archives = archives;
        this.caller = caller;
    }

    /** The caller's checkpoints, newest first; {@code limit} 0 = all. */
    @GET
    public Checkpoint.Page list(@QueryParam("run_id") String runId, @QueryParam("limit") @DefaultValue("20") int limit,
                                @QueryParam("offset") @DefaultValue("0") int offset) {
        return checkpoints.list(caller.owner(), runId, limit, offset);
    }

    /** One checkpoint the caller may read (its own, or published). */
    @GET
    @Path("/info")
    public Checkpoint info(@QueryParam("path") String path) {
        return checkpoints.readable(CheckpointPath.parse(path), caller.owner()).checkpoint();
    }

    @POST
    @Path("/publish")
    @Consumes(MediaType.APPLICATION_JSON)
    public Checkpoint publish(Checkpoint.Ref ref) {
        return checkpoints.publish(path(ref == null ? null : ref.path()), caller.owner(), true);
    }

    @POST
    @Path("/unpublish")
    @Consumes(MediaType.APPLICATION_JSON)
    public Checkpoint unpublish(Checkpoint.Ref ref) {
        return checkpoints.publish(path(ref == null ? null : ref.path()), caller.owner(), false);
    }

    /** Sets ({@code ttl_seconds}) or removes ({@code null}) the checkpoint's expiry. */
    @PUT
    @Path("/ttl")
    @Consumes(MediaType.APPLICATION_JSON)
    public Checkpoint ttl(Checkpoint.Ttl ttl) {
        if (ttl == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "send {\"path\": \"hangar://…\", \"ttl_seconds\": N or null}");
        }
        return checkpoints.setTtl(path(ttl.path()), caller.owner(), ttl.ttlSeconds());
    }

    @DELETE
    @ResponseStatus(204)
    public void delete(@QueryParam("path") String path) {
        checkpoints.delete(path(path), caller.owner());
    }

    /** Where to download the checkpoint's archive; the first request builds it, concurrent ones wait for that build. */
    @POST
    @Path("/archive")
    @Consumes(MediaType.APPLICATION_JSON)
    public Checkpoint.Archive archive(Checkpoint.Ref ref) {
        return archives.archive(path(ref == null ? null : ref.path()), caller.owner());
    }

    private static CheckpointPath path(String path) {
        return CheckpointPath.parse(path);
    }
}
