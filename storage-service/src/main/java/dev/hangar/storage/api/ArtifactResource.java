package dev.hangar.storage.api;

import dev.hangar.kit.config.Blocking;
import dev.hangar.contracts.ArtifactInfo;
import dev.hangar.contracts.Presign;
import dev.hangar.storage.service.ArtifactService;
import dev.hangar.storage.service.Download;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.InputStream;
import java.util.Date;

/**
 * Artefacts over REST. These methods return plain values, so quarkus-rest runs them on a worker
 * thread: the S3 SDK's blocking calls and the streaming copy never run on the event loop
 * ({@code Blocking.require} checks it).
 */
@Path("/v1/artifacts")
public class ArtifactResource {

    private final ArtifactService service;

    public ArtifactResource(ArtifactService service) {
        this.service = service;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public ArtifactInfo.Page list(@QueryParam("prefix") String prefix, @QueryParam("token") String token,
                                  @QueryParam("limit") String limit) {
        return service.list(prefix, token, limit);
    }

    /** Streams {@code /artifacts/<path>}; supports one byte range and If-None-Match. */
    @GET
    @Path("/{path: .+}")
    public Response get(@PathParam("path") String path, @HeaderParam("Range") String range,
                        @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        Download d = service.open(path, range, ifNoneMatch);
        Response.ResponseBuilder answer = headers(d);
        if (d.body() != null) {
            InputStream body = d.body();
            answer.entity((StreamingOutput) out -> {
                try (body) {
                    body.transferTo(out);
                }
            });
        }
        return answer.build();
    }

    @HEAD
    @Path("/{path: .+}")
    public Response head(@PathParam("path") String path, @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        return headers(service.head(path, ifNoneMatch)).build();
    }

    /** Deletes {@code /artifacts/<path>}: 204 whether or not it was there. Internal callers only, like every route here. */
    @DELETE
    @Path("/{path: .+}")
    public Response delete(@PathParam("path") String path) {
        service.delete(path);
        return Response.noContent().build();
    }

    @POST
    @Path("/presign")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Presign.Url presign(Presign.Request request) {
        return service.presign(request);
    }

    private static Response.ResponseBuilder headers(Download d) {
        Response.ResponseBuilder answer = Response.status(d.status()).header(HttpHeaders.ETAG, d.etag());
        if (d.status() == 304) {
            return answer;
        }
        answer.type(d.contentType())
                .header(HttpHeaders.CONTENT_LENGTH, d.contentLength())
                .header("Accept-Ranges", "bytes");
        if (d.contentRange() != null) {
            answer.header("Content-Range", d.contentRange());
        }
        if (d.lastModified() != null) {
            answer.lastModified(Date.from(d.lastModified()));
        }
        return answer;
    }
}
