package dev.hangar.gateway.api;

import dev.hangar.contracts.ArtifactPath;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.Presign;
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
 * straight from the object store to the client and never through this JVM.
 */
@Path("/v1")
public class ArtifactResource {
    static final int DOWNLOAD_URL_SECONDS = 300;
    private final StorageClient storage;

    public ArtifactResource(@RestClient StorageClient storage) {
        this.storage = storage;
    }

    @POST
    @Path("/attachments")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response upload(@QueryParam("filename") String filename, InputStream body) {
        OutputRef stored = storage.upload(filename, body);
        return Response.status(201).entity(stored).build();
    }

    @GET
    @Path("/artifacts/{path: .+}")
    public Response download(@PathParam("path") String path) {
        String full = "/artifacts/" + path;
        ArtifactPath.toKey(full);
        Presign.Url url = storage.presign(new Presign.Request(full, "GET", DOWNLOAD_URL_SECONDS));
        if (url == null || url.url() == null) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, "the storage service gave no URL for " + full);
        }
        return Response.temporaryRedirect(URI.create(url.url())).build();
    }
}
