package dev.hangar.registry.service;

import dev.hangar.contracts.ContentId;
import dev.hangar.contracts.DigestPin;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.Problem;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.SpecValidator;
import dev.hangar.registry.config.RegistryConfig;
import dev.hangar.registry.oci.OciRegistryClient;
import dev.hangar.registry.store.NamespaceStore;
import dev.hangar.registry.store.ProcessorStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Registers processor versions and pins their image digests, after checking them: only an owner
 * of the namespace may, and a digest once pinned stays unless that owner overrides it on purpose
 * (kept in {@code pin_override} and logged), so nobody can swap the image behind a version that
 * others run with their secrets.
 */
@ApplicationScoped
public class ProcessorService {

    private final ProcessorStore store;
    private final OciRegistryClient oci;
    private final RegistryConfig config;
    private final NamespaceStore namespaces;
    private static final Logger LOG = Logger.getLogger(ProcessorService.class);

    public ProcessorService(ProcessorStore store, NamespaceStore namespaces, OciRegistryClient oci, RegistryConfig config) {
        this.store = store;
        this.namespaces = namespaces;
        this.oci = oci;
        this.config = config;
    }

    /** The outcome of a register call: the stored spec with all its pins, and whether it is new. */
    public record Saved(ProcessorSpec spec, boolean created) {}

    public Saved register(ProcessorRef ref, ProcessorSpec spec, String owner, boolean override) {
        if (spec == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "a ProcessorSpec JSON body is required");
        }
        if (spec.ref() != null && !spec.ref().equals(ref)) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "the body's ref " + spec.ref()
                    + " does not match the path's ref " + ref);
        }
        SpecValidator.requireValidSpec(spec);
        spec.digests().forEach((platform, digest) -> verify(spec.image(), digest));
        namespaces.requireWriter(ref.namespace(), requireOwner(owner));
        var pinned = store.find(ref).map(ProcessorSpec::digests).orElse(Map.of());
        spec.digests().forEach((platform, digest) -> requireRepinAllowed(ref, Platform.fromWire(platform), pinned.get(platform),
                digest, owner, override));
        boolean created = store.upsert(spec);
        return new Saved(get(ref), created);
    }

    public ProcessorSpec get(ProcessorRef ref) {
        return store.find(ref).orElseThrow(() -> new HangarException(ErrorCode.ERR_PROCESSOR_NOT_FOUND,
                "no processor is registered as " + ref));
    }

    public List<ProcessorSpec> list() {
        return store.findAll();
    }

    public ProcessorSpec pin(ProcessorRef ref, String platform, DigestPin pin, String owner, boolean override) {
        Platform pinned = platform(platform);
        if (pin == null || !ContentId.isValid(pin.digest())) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "the body must be {\"digest\": \"sha256:<64 hex digits>\"}",
                    List.of(new Problem.FieldError("/digest", "must be sha256:<64 lower-case hex digits>")));
        }
        ProcessorSpec spec = get(ref);
        namespaces.requireWriter(ref.namespace(), requireOwner(owner));
        String previous = spec.digests().get(pinned.wire());
        if (previous != null && !previous.equals(pin.digest()) && !override) {
            requireRepinAllowed(ref, pinned, previous, pin.digest(), owner, false);
        }
        verify(spec.image(), pin.digest());
        requireRepinAllowed(ref, pinned, previous, pin.digest(), owner, override);
        store.pin(ref, pinned, pin.digest());
        return get(ref);
    }

    /** Records a local build: only an owner of the namespace may say which image a version's build is. */
    public void requireWriter(ProcessorRef ref, String owner) {
        namespaces.requireWriter(ref.namespace(), requireOwner(owner));
    }

    /** Writes come from the gateway on behalf of a tenant, which it names; without a name nobody may write. */
    private static String requireOwner(String owner) {
        if (owner == null || owner.isBlank()) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "a change to the catalogue must name its owner in "
                    + dev.hangar.contracts.InternalAuth.OWNER_HEADER + " (the gateway sends it)");
        }
        return owner;
    }

    /** Same digest or none yet: fine. Another one: only with the override, which is logged and kept. */
    private void requireRepinAllowed(ProcessorRef ref, Platform platform, String previous, String digest, String owner,
                                     boolean override) {
        if (previous == null || previous.equals(digest)) {
            return;
        }
        if (!override) {
            throw new HangarException(ErrorCode.ERR_VERSION_IMMUTABLE, ref + " is already pinned to " + previous + " for "
                    + platform.wire() + "; a new image is a new version (bump `version` in hangar.yaml), or, as an owner of '"
                    + ref.namespace() + "', repin on purpose with ?" + dev.hangar.contracts.Catalogue.OVERRIDE_PARAM
                    + "=true (`hangar push --override`), which is recorded");
        }
        namespaces.recordOverride(ref, platform, previous, digest, owner);
        LOG.warnf("pin override: owner %s repinned %s %s from %s to %s", owner, ref, platform.wire(), previous, digest);
    }

    /** The path's platform; unknown is ERR_BAD_REQUEST here (a path segment, not a request option). */
    private static Platform platform(String platform) {
        try {
            return Platform.fromWire(platform);
        } catch (HangarException e) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "unknown platform '" + platform + "' (" + Platform.allowed() + ")",
                    List.of(new Problem.FieldError("platform", "must be one of " + Platform.allowed())));
        }
    }

    private void verify(String image, String digest) {
        if (config.verifyDigests()) {
            oci.requireManifest(image, digest);
        }
    }
}
