package dev.hangar.gateway.tinker;

import dev.hangar.contracts.Checkpoint;
import dev.hangar.contracts.CheckpointPath;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Tinker;
import dev.hangar.contracts.TrainingRun;
import dev.hangar.gateway.auth.Caller;
import dev.hangar.gateway.checkpoints.ArchiveService;
import dev.hangar.gateway.checkpoints.CheckpointService;
import dev.hangar.gateway.checkpoints.TrainingRunService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.jboss.resteasy.reactive.ResponseStatus;

/**
 * Tinker's RestClient surface (docs/tinker-api.md) over Hangar's training runs and checkpoints
 * (gateway.checkpoints): the same store, owner rules and archive build, in Tinker's paths and
 * shapes. A checkpoint is {@code training_runs/{run}/checkpoints/{weights|sampler_weights}/{id}},
 * as Tinker's SDK spells the {@code checkpoint_id} of a {@code tinker://} path. Another owner's run
 * or unpublished checkpoint is 404, exactly as one nobody has. Blocking (JDBC, storage): worker threads.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class TinkerRestResource {
    static final int DEFAULT_RUNS_LIMIT = 20;   // Tinker's list_training_runs default
    static final int DEFAULT_CHECKPOINTS_LIMIT = 100; // Tinker's list_user_checkpoints default
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final TrainingRunService runs;
    private final CheckpointService checkpoints;
    private final ArchiveService archives;
    private final Caller caller;

    private final dev.hangar.gateway.training.TrainingService sessions;

    public TinkerRestResource(TrainingRunService runs, CheckpointService checkpoints, ArchiveService archives, Caller caller,
                              dev.hangar.gateway.training.TrainingService sessions) {
        this.sessions = sessions;
        this.runs = runs;
        this.checkpoints = checkpoints;
        this.archives = archives;
        this.caller = caller;
    }

    @GET
    @Path("/training_runs")
    public Tinker.TrainingRunsResponse trainingRuns(@QueryParam("limit") String limit, @QueryParam("offset") String offset) {
        int l = number("limit", limit, DEFAULT_RUNS_LIMIT);
        int o = number("offset", offset, 0);
        var page = runs.page(caller.owner(), l, o);
        return new Tinker.TrainingRunsResponse(page.runs().stream().map(this::run).toList(), new Tinker.Cursor(o, l, page.total()));
    }

    @GET
    @Path("/training_runs/{run_id}")
    public Tinker.TrainingRun trainingRun(@PathParam("run_id") String runId) {
        return run(runs.get(runId, caller.owner()));
    }

    /** The run's checkpoints, newest first; the path the current SDK lists them on. */
    @GET
    @Path("/training_runs/{run_id}/checkpoints")
    public Tinker.CheckpointsListResponse runCheckpoints(@PathParam("run_id") String runId) {
        try {
            runs.get(runId, caller.owner()); // another owner's run is not found, not an empty list
        } catch (HangarException notARun) {
            if (notARun.code() != ErrorCode.ERR_RUN_NOT_FOUND || !isOwnSession(runId)) {
                throw notARun;
            }
        }
        return list(runId, "0", "0");
    }

    /** The same, on the path older SDKs use ({@code weights.list}). */
    @GET
    @Path("/models/{run_id}/checkpoints")
    public Tinker.CheckpointsListResponse modelCheckpoints(@PathParam("run_id") String runId) {
        return runCheckpoints(runId);
    }

    /** Every checkpoint of the caller's, newest first, with Tinker's cursor. */
    @GET
    @Path("/checkpoints")
    public Tinker.CheckpointsListResponse userCheckpoints(@QueryParam("limit") String limit, @QueryParam("offset") String offset) {
        return list(null, limit, offset);
    }

    @DELETE
    @Path("/training_runs/{run_id}/checkpoints/{kind}/{id}")
    @ResponseStatus(204)
    public void delete(@PathParam("run_id") String runId, @PathParam("kind") String kind, @PathParam("id") String id) {
        checkpoints.delete(TinkerCheckpointPaths.of(runId, kind, id), caller.owner());
    }

    /**
     * Tinker's archive: a 302 to the presigned URL (and its {@code Expires}), which Tinker's SDK
     * reads without following; the body says the same for a client that does not look at headers.
     * The archive is built once however many ask (ArchiveService), never "already in progress".
     */
    @GET
    @Path("/training_runs/{run_id}/checkpoints/{kind}/{id}/archive")
    public Response archive(@PathParam("run_id") String runId, @PathParam("kind") String kind, @PathParam("id") String id) {
        Checkpoint.Archive archive = archives.archive(TinkerCheckpointPaths.of(runId, kind, id), caller.owner());
        return Response.status(302).location(URI.create(archive.url())).header("Expires", HTTP_DATE.format(archive.expiresAt()))
                .type(MediaType.APPLICATION_JSON).entity(new Tinker.CheckpointArchiveUrlResponse(archive.url(), archive.expiresAt()))
                .build();
    }

    @POST
    @Path("/training_runs/{run_id}/checkpoints/{kind}/{id}/publish")
    @ResponseStatus(204)
    public void publish(@PathParam("run_id") String runId, @PathParam("kind") String kind, @PathParam("id") String id) {
        checkpoints.publish(TinkerCheckpointPaths.of(runId, kind, id), caller.owner(), true);
    }

    @DELETE
    @Path("/training_runs/{run_id}/checkpoints/{kind}/{id}/publish")
    @ResponseStatus(204)
    public void unpublish(@PathParam("run_id") String runId, @PathParam("kind") String kind, @PathParam("id") String id) {
        checkpoints.publish(TinkerCheckpointPaths.of(runId, kind, id), caller.owner(), false);
    }

    /** {@code {"ttl_seconds": N}} expires the checkpoint N seconds from now; {@code null} keeps it until deleted. */
    @PUT
    @Path("/training_runs/{run_id}/checkpoints/{kind}/{id}/ttl")
    @Consumes(MediaType.APPLICATION_JSON)
    @ResponseStatus(204)
    public void ttl(@PathParam("run_id") String runId, @PathParam("kind") String kind, @PathParam("id") String id,
                    Tinker.TtlRequest body) {
        if (body == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "send {\"ttl_seconds\": N} (or null to remove the TTL)");
        }
        checkpoints.setTtl(TinkerCheckpointPaths.of(runId, kind, id), caller.owner(), body.ttlSeconds());
    }

    // ---- mapping

    private Tinker.CheckpointsListResponse list(String runId, String limit, String offset) {
        int l = number("limit", limit, DEFAULT_CHECKPOINTS_LIMIT);
        int o = number("offset", offset, 0);
        Checkpoint.Page page = checkpoints.list(caller.owner(), runId, l, o);
        return new Tinker.CheckpointsListResponse(page.checkpoints().stream().map(TinkerRestResource::checkpoint).toList(),
                new Tinker.Cursor(page.cursor().offset(), page.cursor().limit(), page.cursor().totalCount()));
    }

    /** A Tinker model is a training session too: its saves are checkpoints under its id. */
    private boolean isOwnSession(String id) {
        if (!id.startsWith("ts_")) {
            return false;
        }
        try {
            sessions.get(caller.owner(), id);
            return true;
        } catch (HangarException notMine) {
            return false;
        }
    }

    private Tinker.TrainingRun run(TrainingRun run) {
        List<Checkpoint> all = checkpoints.list(run.owner(), run.runId(), 0, 0).checkpoints(); // newest first
        Tinker.Checkpoint weights = newest(all, CheckpointPath.Kind.WEIGHTS);
        Tinker.Checkpoint sampler = newest(all, CheckpointPath.Kind.SAMPLER_WEIGHTS);
        var last = run.updatedAt() != null ? run.updatedAt() : run.createdAt();
        return new Tinker.TrainingRun(run.runId(), run.baseModel(), run.owner(), true, false,
                run.lora() == null ? null : run.lora().rank(), last, weights, sampler, null);
    }

    private static Tinker.Checkpoint newest(List<Checkpoint> newestFirst, CheckpointPath.Kind kind) {
        return newestFirst.stream().filter(c -> c.checkpointType() == kind).findFirst().map(TinkerRestResource::checkpoint).orElse(null);
    }

    static Tinker.Checkpoint checkpoint(Checkpoint c) {
        CheckpointPath path = CheckpointPath.parse(c.path());
        return new Tinker.Checkpoint(path.kind().wire() + "/" + path.checkpointId(),
                path.kind() == CheckpointPath.Kind.WEIGHTS ? "training" : "sampler", c.createdAt(), TinkerCheckpointPaths.tinker(path),
                c.sizeBytes(), c.isPublic(), c.runId(), c.expiresAt());
    }

    /** A query number; absent is the default, anything but a whole number is ERR_OPTION_INVALID (not a 404). */
    static int number(String name, String value, int otherwise) {
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, name + " must be a whole number, got '" + value + "'");
        }
    }
}
