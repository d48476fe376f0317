package dev.hangar.gateway.auth;

import dev.hangar.contracts.AdapterOptions;
import dev.hangar.contracts.ApiToken;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.RunRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * What an owner's run request may ask for beyond what {@code RunSubmissionService} checks: only
 * attachments it uploaded itself, and {@code adapter_opts.keep_container} (a container left behind
 * with its secrets' environment) only with the {@code admin} scope. REST and the bus entry both call it.
 */
@ApplicationScoped
public class RunAdmission {
    private final ArtifactAccess artifacts;

    public RunAdmission(ArtifactAccess artifacts) {
        this.artifacts = artifacts;
    }

    public void require(RunRequest request, String owner, Set<ApiToken.Scope> scopes) {
        if (request == null) {
            return; // the submission answers an empty body
        }
        if (request.adapterOpts() != null && request.adapterOpts().isObject() && !scopes.contains(ApiToken.Scope.ADMIN)
                && AdapterOptions.parse(request.adapterOpts()).keep()) {
            throw new HangarException(ErrorCode.ERR_SCOPE_MISSING, "adapter_opts.keep_container needs a token with the 'admin' "
                    + "scope (a kept container holds the run's environment); leave it out or ask an admin");
        }
        artifacts.requireAttachable(request.attachments(), owner);
    }
}
