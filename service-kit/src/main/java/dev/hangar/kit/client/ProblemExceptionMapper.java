package dev.hangar.kit.client;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Problem;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.ext.ResponseExceptionMapper;

/** Turns another Hangar service's problem+json answer back into the same {@link HangarException}. */
public class ProblemExceptionMapper implements ResponseExceptionMapper<HangarException> {
    @Override
    public HangarException toThrowable(Response response) {
        String body = response.readEntity(String.class);
        try {
            Problem p = Json.MAPPER.readValue(body, Problem.class);
            return new HangarException(p.code(), p.detail(), p.errors() == null ? java.util.List.of() : p.errors());
        } catch (Exception e) {
            return new HangarException(ErrorCode.ERR_UNAVAILABLE, "registry answered HTTP " + response.getStatus());
        }
    }
}
