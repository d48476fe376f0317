package dev.hangar.executor.client;

import dev.hangar.contracts.SecretValue;
import dev.hangar.kit.client.ProblemExceptionMapper;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The gateway's internal secret lookup, for real-mode runs only. */
@RegisterRestClient(configKey = "gateway")
@RegisterProvider(ProblemExceptionMapper.class)
@Path("/internal/v1/secrets")
public interface GatewaySecretsClient {

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    SecretValue.Values lookup(@HeaderParam("X-Hangar-Internal-Token") String token, SecretValue.Lookup lookup);
}
