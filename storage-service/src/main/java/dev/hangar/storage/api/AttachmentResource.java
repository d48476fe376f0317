package dev.hangar.storage.api;

import dev.hangar.contracts.OutputRef;
import dev.hangar.storage.service.AttachmentService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;

/** Uploads of run input files; the body is read on a worker thread (an InputStream parameter is blocking). */
@Path("/v1/attachments")
public class AttachmentResource {
    private final AttachmentService attachments;

    public AttachmentResource(AttachmentService attachments) {
        this.attachments = attachments;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response upload(@QueryParam("filename") String filename, InputStream body) {
        OutputRef stored = attachments.upload(filename, body);
        return Response.status(201).entity(stored).build();
    }
}
