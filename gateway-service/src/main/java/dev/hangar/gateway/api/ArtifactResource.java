package dev.hangar.gateway.api;

import dev.hangar.contracts.ArtifactPath;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.Presign;
import dev.hangar.gateway.auth.ArtifactAccess;
import dev.hangar.gateway.auth.Caller;
import dev.hangar.gateway.client.StorageClient;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.net.URI;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Files in and out. Uploads stream through to the storage service, which stores them
 * content-addressed; downloads are a redirect to a short-lived presigned URL, so the bytes go
 * straight from the object store to the client and never through this JVM. An owner reads only
 * what it uploaded and what its own runs produced ({@link ArtifactAccess}); anything else is 404.
 */
@Path("/v1")
public class ArtifactResource {
    static final int DOWNLOAD_URL_SECONDS = 300;
    private final StorageClient storage;
    private final ArtifactAccess access;
    private final Caller caller;

    public ArtifactResource(@RestClient StorageClient storage, ArtifactAccess access, Caller caller) {
        this.storage = storage;
        this.access = access;
        this.caller = caller;
    }

    @POST
    @Path("/attachments")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response upload(@QueryParam("filename") String filename, InputStream body) {
        OutputRef stored = storage.upload(filename, body);
        access.recordUpload(stored.cid(), caller.owner());
        return Response.status(201).entity(stored).build();
    }

    @GET
    @Path("/artifacts/{path: .+}")
    public Response download(@PathParam("path") String path) {
        String full = "/artifacts/" + path;
        ArtifactPath.toKey(full);
        access.requireReadable(full, caller.owner());
        Presign.Url url = storage.presign(new Presign.Request(full, "GET", DOWNLOAD_URL_SECONDS));
        if (url == null || url.url() == null) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "the storage service gave no URL for " + full);
        }
        return Response.temporaryRedirect(URI.create(url.url())).build();
    }
}
