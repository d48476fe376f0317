package dev.hangar.gateway.api;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Plan;
import dev.hangar.gateway.auth.Caller;
import dev.hangar.gateway.store.PlanStore;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Budget plans, in credits (see {@code Cost}). */
@Path("/v1/plans")
@Produces(MediaType.APPLICATION_JSON)
public class PlanResource {
    private final PlanStore plans;
    private final Caller caller;

    public PlanResource(PlanStore plans, Caller caller) {
        this.plans = plans;
        this.caller = caller;
    }

    @GET
    public List<Plan> list() {
        return plans.list(caller.owner());
    }

    @GET
    @Path("/{key}")
    public Plan get(@PathParam("key") String key) {
        return plans.find(caller.owner(), Plan.requireKey(key)).orElseThrow(() -> new HangarException(ErrorCode.ERR_PLAN_NOT_FOUND,
                "no plan '" + key + "'; create it with `hangar plans set " + key + " --limit N` or by its first use"));
    }

    /** Creates the plan or changes its limit. */
    @PUT
    @Path("/{key}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Plan set(@PathParam("key") String key, Plan.Limit body) {
        if (body == null || body.limit() == null || body.limit() < 0 || body.limit().isInfinite() || body.limit().isNaN()) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "send {\"limit\": N} with N a number of credits, 0 or more");
        }
        return plans.set(caller.owner(), Plan.requireKey(key), body.limit());
    }
}
