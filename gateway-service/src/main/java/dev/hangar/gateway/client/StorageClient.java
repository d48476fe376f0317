package dev.hangar.gateway.client;

import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.Presign;
import dev.hangar.kit.client.ProblemExceptionMapper;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.io.InputStream;
import dev.hangar.contracts.InternalAuth;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The storage service: attachment uploads, presigned artefact URLs, and (for checkpoints) reading and deleting artefacts. */
@ClientHeaderParam(name = InternalAuth.TOKEN_HEADER, value = "${hangar.gateway.internal-token}")
@RegisterRestClient(configKey = "storage")
@RegisterProvider(ProblemExceptionMapper.class)
@Path("/v1")
public interface StorageClient {

    @POST
    @Path("/attachments")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    OutputRef upload(@QueryParam("filename") String filename, InputStream body);

    @POST
    @Path("/artifacts/presign")
    @Consumes(MediaType.APPLICATION_JSON)
    Presign.Url presign(Presign.Request request);

    /** Streams one artefact: {@code path} is its path without the leading {@code /artifacts/}, each segment already percent-encoded. */
    @GET
    @Path("/artifacts/{path: .+}")
    @Produces(MediaType.WILDCARD)
    InputStream open(@Encoded @PathParam("path") String path);

    /** Deletes one artefact; an absent one is already deleted (204). */
    @DELETE
    @Path("/artifacts/{path: .+}")
    void delete(@Encoded @PathParam("path") String path);
}
