package dev.hangar.gateway.api;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.SecretValue;
import dev.hangar.gateway.store.RunStore;
import dev.hangar.gateway.store.SecretStore;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/**
 * Where an executor reads the secrets of a real-mode run it is about to start. Only with the
 * shared internal token ({@link dev.hangar.gateway.internal.PortFilter} checks it), and never for a run that has ended or runs in mock mode.
 */
@Path("/internal/v1/secrets")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class InternalSecretResource {
    private final SecretStore secrets;
    private final RunStore runs;

    public InternalSecretResource(SecretStore secrets, RunStore runs) {
        this.secrets = secrets;
        this.runs = runs;
    }

    @POST
    public SecretValue.Values lookup(SecretValue.Lookup lookup) {
        if (lookup == null || lookup.executionId() == null || lookup.names() == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "send {\"execution_id\":..., \"names\":[...]}");
        }
        // Secrets belong to the run's owner; a run written straight to the bus has none to read.
        var owner = runs.owner(lookup.executionId());
        if (owner.isEmpty()) {
            return new SecretValue.Values(Map.of());
        }
        var status = runs.status(lookup.executionId(), owner.get());
        if (status.isEmpty() || status.get().terminal() || runs.mode(lookup.executionId()).filter(Mode.REAL::equals).isEmpty()) {
            throw new HangarException(ErrorCode.ERR_UNAUTHORIZED, "run " + lookup.executionId() + " may not read secrets");
        }
        lookup.names().forEach(SecretValue::requireName);
        // a run in a deployment environment gets that environment's secrets, and only those
        String env = runs.env(lookup.executionId()).orElse(SecretStore.NO_ENV);
        return new SecretValue.Values(secrets.values(owner.get(), env, lookup.names()));
    }

}
