package dev.hangar.registry.deploy;

import dev.hangar.contracts.Deploy;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.InternalAuth;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.registry.config.RegistryConfig;
import dev.hangar.registry.oci.OciRegistryClient;
import dev.hangar.registry.service.ProcessorService;
import dev.hangar.registry.store.NamespaceStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Deployments per environment, each bound to a digest the registry has pinned for its ref and the
 * OCI registry holds. Only an owner of the ref's namespace deploys it or reads its deployments.
 */
@ApplicationScoped
public class DeploymentService {
    private static final Logger LOG = Logger.getLogger(DeploymentService.class);
    static final int MAX_EVENTS = 1000;

    private final DeploymentStore store;
    private final ProcessorService processors;
    private final NamespaceStore namespaces;
    private final OciRegistryClient oci;
    private final RegistryConfig config;

    public DeploymentService(DeploymentStore store, ProcessorService processors, NamespaceStore namespaces, OciRegistryClient oci,
                             RegistryConfig config) {
        this.store = store;
        this.processors = processors;
        this.namespaces = namespaces;
        this.oci = oci;
        this.config = config;
    }

    /** Validates, checks ownership, the pin and the OCI manifest, then records the deployment. */
    public Deploy.Deployment deploy(Deploy.Request request, String owner) {
        if (request == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "send {\"ref\":..., \"env\":..., \"oci\":\"repo@sha256:...\"}");
        }
        ProcessorRef ref = ProcessorRef.parse(request.ref());
        String env = Deploy.requireEnv(request.env());
        Deploy.OciRef image = Deploy.OciRef.parse(request.oci());
        int minWarm = Deploy.requireMinWarm(request.minWarm());
        String pool = request.pool() == null || request.pool().isBlank() ? null : requirePool(request.pool());
        requireOwner(ref, owner);
        ProcessorSpec spec = processors.get(ref);
        requirePinned(ref, spec, image);
        if (config.verifyDigests()) {
            oci.requireManifest(image.repository(), image.digest());
        }
        String name = Deploy.name(ref, env, request.branch(), owner);
        var saved = store.upsert(name, ref, env, image, minWarm, pool, owner);
        LOG.infof("deployment %s/%s of %s bound to %s by %s (min_warm %d, pool %s)", env, name, ref, image.digest(), owner, minWarm,
                pool == null ? "default" : pool);
        return saved;
    }

    /** A deployment by name, for an owner of its namespace (403 otherwise, 404 if there is none). */
    public Deploy.Deployment get(String env, String name, String owner) {
        Deploy.requireEnv(env);
        var found = store.find(env, name).orElseThrow(() -> notFound(env + "/" + name));
        requireOwner(found.ref(), owner);
        return found;
    }

    /** The deployments of a ref in an environment, newest first. */
    public List<Deploy.Deployment> list(ProcessorRef ref, String env, String owner) {
        Deploy.requireEnv(env);
        requireOwner(ref, owner);
        return store.list(ref, env);
    }

    /** Compares the bound digest with {@code oci}, and asks the OCI registry whether it holds that manifest. */
    public Deploy.VerifyReport verify(String env, String name, String given, String owner) {
        var deployment = get(env, name, owner);
        Deploy.OciRef image = Deploy.OciRef.parse(given);
        boolean present = true;
        if (config.verifyDigests()) {
            try {
                oci.requireManifest(image.repository(), image.digest());
            } catch (HangarException e) {
                if (e.code() != ErrorCode.ERR_DIGEST_NOT_FOUND) {
                    throw e;
                }
                present = false;
            }
        }
        boolean match = deployment.image().equals(image.toString()) && present;
        return new Deploy.VerifyReport(deployment.ref(), env, deployment.name(), match, deployment.digest(), image.digest(), present);
    }

    /** An executor's report, relayed by the gateway from {@code hangar.deploy.events}. */
    public void record(Deploy.Event event) {
        if (event == null || event.name() == null || event.env() == null || event.type() == null || event.executorId() == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "a deploy event needs name, env, type and executor_id");
        }
        Deploy.requireEnv(event.env());
        store.record(event);
    }

    public List<Deploy.Event> events(String env, String name, String owner, Instant since, Integer limit) {
        var deployment = get(env, name, owner);
        int n = limit == null ? MAX_EVENTS : limit;
        if (n < 1 || n > MAX_EVENTS) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "limit must be between 1 and " + MAX_EVENTS + ", got " + n);
        }
        return store.events(deployment, since, n);
    }

    /** Reads and changes of a deployment are an owner's of its namespace: the registry's namespace owners. */
    private void requireOwner(ProcessorRef ref, String owner) {
        if (owner == null || owner.isBlank()) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "a deployment call must name its owner in " + InternalAuth.OWNER_HEADER);
        }
        boolean owns = namespaces.owners(ref.namespace()).stream().anyMatch(o -> o.owner().equals(owner));
        if (!owns) {
            throw new HangarException(ErrorCode.ERR_NAMESPACE_FORBIDDEN, "namespace '" + ref.namespace()
                    + "' is not yours; only its owners deploy it or read its deployments (ask an admin for a grant)");
        }
    }

    /** The image must be the spec's repository at a digest pinned for the ref (any platform). */
    private static void requirePinned(ProcessorRef ref, ProcessorSpec spec, Deploy.OciRef image) {
        var pins = spec.digests();
        if (pins.isEmpty()) {
            throw new HangarException(ErrorCode.ERR_IMAGE_UNPINNED, ref + " has no pinned digest; `hangar push` it first");
        }
        if (!pins.containsValue(image.digest()) || !spec.image().equals(image.repository())) {
            throw new HangarException(ErrorCode.ERR_REGISTRY_MISMATCH, "--oci " + image + " is not an image pinned for " + ref
                    + ": the registry pins " + spec.image() + "@" + pins + " ; given " + image.repository() + "@" + image.digest());
        }
    }

    private static String requirePool(String pool) {
        if (!pool.matches("[a-z0-9][a-z0-9-]{0,30}")) {
            throw new HangarException(ErrorCode.ERR_OPTION_INVALID, "pool '" + pool + "' must match [a-z0-9][a-z0-9-]{0,30}");
        }
        return pool;
    }

    static HangarException notFound(String what) {
        return new HangarException(ErrorCode.ERR_DEPLOYMENT_NOT_FOUND, "no deployment " + what
                + " is recorded; deploy it with `hangar deploy --ref ... --env ... --oci repo@sha256:...`");
    }
}
