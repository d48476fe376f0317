package dev.hangar.gateway.deploy;

import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.SecretValue;
import dev.hangar.gateway.client.ProcessorSpecs;
import dev.hangar.gateway.client.RegistryClient;
import dev.hangar.gateway.store.RunStore;
import dev.hangar.gateway.store.SecretStore;
import dev.hangar.kit.client.Remote;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * The gateway's side of the deploy control plane: the registry records deployments (and checks
 * the caller owns the namespace, the digest is pinned and in the OCI registry), the gateway sends
 * the deploy command to the executors and keeps each environment's secrets.
 */
@ApplicationScoped
public class DeploymentService {
    private static final Logger LOG = Logger.getLogger(DeploymentService.class);
    static final int MAX_LINES = 1000;

    private final RegistryClient registry;
    private final DeployPublisher publisher;
    private final SecretStore secrets;
    private final RunStore runs;
    private final ProcessorSpecs specs;

    public DeploymentService(@RestClient RegistryClient registry, DeployPublisher publisher, SecretStore secrets, RunStore runs,
                             ProcessorSpecs specs) {
        this.registry = registry;
        this.specs = specs;
        this.publisher = publisher;
        this.secrets = secrets;
        this.runs = runs;
    }

    /** Records the deployment in the registry, then tells every executor (those of its pool act on it). */
    public Deploy.Deployment deploy(Deploy.Request request, String owner) {
        var deployment = Remote.call(RegistryClient.NAME, () -> registry.deploy(owner, request));
        publisher.publish(new Deploy.Command(Deploy.SCHEMA_VERSION, deployment.name(), deployment.ref(), deployment.env(),
                deployment.image(), deployment.minWarm(), deployment.pool(), owner, Instant.now(), null));
        LOG.infof("deploy command for %s/%s (%s) sent", deployment.env(), deployment.name(), deployment.image());
        return deployment;
    }

    /**
     * The deployment a caller means by ref and environment: by name when the branch is given (or
     * outside dev, where there is one), else in dev the caller's newest.
     */
    public Deploy.Deployment locate(String ref, String env, String branch, String owner) {
        ProcessorRef parsed = ProcessorRef.parse(ref);
        Deploy.requireEnv(env);
        if (!Deploy.DEV.equals(env) || branch != null) {
            String name = Deploy.name(parsed, env, branch, owner);
            return Remote.call(RegistryClient.NAME, () -> registry.deployment(owner, env, name));
        }
        return Remote.call(RegistryClient.NAME, () -> registry.deployments(owner, parsed.toString(), env)).stream()
                .filter(d -> owner.equals(d.owner())).findFirst()
                .orElseThrow(() -> new HangarException(ErrorCode.ERR_DEPLOYMENT_NOT_FOUND, "you have no dev deployment of "
                        + parsed + "; deploy it with `hangar deploy --ref " + parsed + " --env dev --oci repo@sha256:...`"));
    }

    /** {@link #locate}, with "not yours" answered exactly as "not there" (ERR_DEPLOYMENT_NOT_FOUND, one message). */
    private Deploy.Deployment locateOwn(String ref, String env, String owner) {
        ProcessorRef parsed = ProcessorRef.parse(ref);
        Deploy.requireEnv(env);
        try {
            return locate(ref, env, null, owner);
        } catch (HangarException e) {
            if (e.code() != ErrorCode.ERR_NAMESPACE_FORBIDDEN && e.code() != ErrorCode.ERR_DEPLOYMENT_NOT_FOUND) {
                throw e;
            }
            throw new HangarException(ErrorCode.ERR_DEPLOYMENT_NOT_FOUND, "you have no deployment of " + parsed + " in " + env
                    + "; deploy it with `hangar deploy --ref " + parsed + " --env " + env + " --oci repo@sha256:...`");
        }
    }

    public Deploy.VerifyReport verify(Deploy.VerifyRequest request, String owner) {
        if (request == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "send {\"ref\":..., \"env\":..., \"oci\":\"repo@sha256:...\"}");
        }
        Deploy.OciRef.parse(request.oci());
        var d = locate(request.ref(), request.env(), request.branch(), owner);
        return Remote.call(RegistryClient.NAME, () -> registry.verify(owner, d.env(), d.name(), request));
    }

    /** The deployment's events and the log lines of its runs after {@code since}, oldest first, at most {@code limit}. */
    public Deploy.Logs logs(String ref, String env, String branch, Instant since, Integer limit, String owner) {
        int n = limit == null ? MAX_LINES : limit;
        if (n < 1 || n > MAX_LINES) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "limit must be between 1 and " + MAX_LINES + ", got " + n);
        }
        Instant from = since == null ? Instant.EPOCH : since;
        var d = locate(ref, env, branch, owner);
        var lines = new ArrayList<Deploy.LogLine>();
        for (var e : Remote.call(RegistryClient.NAME, () -> registry.deployEvents(owner, d.env(), d.name(), from.toString(), n))) {
            lines.add(new Deploy.LogLine(e.at(), "deploy", null, e.type() == Deploy.EventType.FAILED ? "error" : "info",
                    e.executorId() + " " + e.type().wire() + " " + e.digest() + " (" + e.warm() + " warm)"
                            + (e.message() == null ? "" : ": " + e.message())));
        }
        // runs that started before `since` may still log after it: look a day back for them
        for (String id : runs.runsIn(owner, d.ref(), d.env(), from.minusSeconds(86_400), n)) {
            for (RunEvent e : runs.eventsAfter(id, 0, 0, n)) {
                if (e.event() instanceof RunEvent.Log log && e.createdAt().isAfter(from)) {
                    lines.add(new Deploy.LogLine(e.createdAt(), "run", id, log.stream(), log.line()));
                }
            }
        }
        lines.sort(Comparator.comparing(Deploy.LogLine::at));
        var page = lines.size() > n ? lines.subList(0, n) : lines;
        return new Deploy.Logs(page, page.isEmpty() ? from : page.get(page.size() - 1).at());
    }

    /**
     * Brings the environment's secrets in line with the names the spec requires: adds and updates
     * the values sent, lists the required names that have no value (never a value), and with
     * {@code prune} removes the environment's secrets the spec no longer names. {@code check} only reports.
     * Someone who does not own the namespace gets the same 404 as for a deployment that does not
     * exist: the answer says nothing about whether the environment has a deployment or secrets.
     */
    public Deploy.SecretReport syncSecrets(Deploy.SecretSync sync, String owner) {
        if (sync == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "send {\"ref\":..., \"env\":..., \"values\":{...}}");
        }
        var d = locateOwn(sync.ref(), sync.env(), owner);
        ProcessorSpec spec = specs.read(d.ref());
        sync.values().forEach((name, value) -> SecretValue.requireValue(SecretValue.requireName(name), value));
        Set<String> required = new TreeSet<>(spec.secrets());
        Set<String> stored = new TreeSet<>(secrets.names(owner, d.env()));
        var current = secrets.values(owner, d.env(), required);
        List<String> added = new ArrayList<>(), updated = new ArrayList<>(), unchanged = new ArrayList<>(), missing = new ArrayList<>();
        for (String name : required) {
            String value = sync.values().get(name);
            if (value == null) {
                (stored.contains(name) ? unchanged : missing).add(name);
            } else if (!stored.contains(name)) {
                added.add(name);
            } else {
                (value.equals(current.get(name)) ? unchanged : updated).add(name);
            }
        }
        List<String> pruned = Boolean.TRUE.equals(sync.prune()) ? stored.stream().filter(n -> !required.contains(n)).toList() : List.of();
        List<String> extra = sync.values().keySet().stream().filter(n -> !required.contains(n)).sorted().toList();
        boolean apply = !Boolean.TRUE.equals(sync.check());
        if (apply) {
            for (String name : added) {
                secrets.put(owner, d.env(), name, sync.values().get(name));
            }
            for (String name : updated) {
                secrets.put(owner, d.env(), name, sync.values().get(name));
            }
            pruned.forEach(name -> secrets.delete(owner, d.env(), name));
            LOG.infof("secrets of %s in %s for %s: added %s, updated %s, pruned %s, missing %s", d.ref(), d.env(), owner, added,
                    updated, pruned, missing);
        }
        return new Deploy.SecretReport(d.ref(), d.env(), apply, List.copyOf(required), added, updated, unchanged, missing, pruned, extra);
    }
}
