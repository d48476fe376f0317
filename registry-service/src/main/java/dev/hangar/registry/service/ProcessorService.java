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
import dev.hangar.registry.store.ProcessorStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Registers processor versions and pins their image digests, after checking them. */
@ApplicationScoped
public class ProcessorService {

    private final ProcessorStore store;
    private final OciRegistryClient oci;
    private final RegistryConfig config;

    public ProcessorService(ProcessorStore store, OciRegistryClient oci, RegistryConfig config) {
        this.store = store;
        this.oci = oci;
        this.config = config;
    }

    /** The outcome of a register call: the stored spec with all its pins, and whether it is new. */
    public record Saved(ProcessorSpec spec, boolean created) {}

    public Saved register(ProcessorRef ref, ProcessorSpec spec) {
        if (spec == null) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "a ProcessorSpec JSON body is required");
        }
        if (spec.ref() != null && !spec.ref().equals(ref)) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "the body's ref " + spec.ref()
                    + " does not match the path's ref " + ref);
        }
        SpecValidator.requireValidSpec(spec);
        spec.digests().forEach((platform, digest) -> verify(spec.image(), digest));
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

    public ProcessorSpec pin(ProcessorRef ref, String platform, DigestPin pin) {
        Platform pinned = platform(platform);
        if (pin == null || !ContentId.isValid(pin.digest())) {
            throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "the body must be {\"digest\": \"sha256:<64 hex digits>\"}",
                    List.of(new Problem.FieldError("/digest", "must be sha256:<64 lower-case hex digits>")));
        }
        ProcessorSpec spec = get(ref);
        verify(spec.image(), pin.digest());
        store.pin(ref, pinned, pin.digest());
        return get(ref);
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
