package dev.hangar.executor.docker;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Platform;

/**
 * The one platform rule of this engine: a run must ask for the platform this host executes, and
 * the image it gets must be built for it. Both failures are {@link ErrorCode#ERR_PLATFORM_UNSUPPORTED}.
 */
final class HostPlatform {
    private final Platform host;

    HostPlatform(Platform host) {
        this.host = host;
    }

    /** A run asking for another platform needs an executor on a host of that platform. */
    void requireRun(Platform wanted) {
        if (wanted != host) {
            throw new HangarException(ErrorCode.ERR_PLATFORM_UNSUPPORTED, "this executor runs " + host.wire()
                    + " images and the run asks for " + wanted.wire() + "; use --platform " + host.wire()
                    + " or an executor on a " + wanted.wire() + " host");
        }
    }

    /** The engine's view of an image ({@code Architecture}, may be unknown) must match the platform it was pinned for. */
    static void requireImage(String what, String arch, Platform pinnedFor) {
        if (arch != null && !arch.equals(pinnedFor.wire())) {
            throw new HangarException(ErrorCode.ERR_PLATFORM_UNSUPPORTED, what + " is built for " + arch + ", not "
                    + pinnedFor.wire() + "; this executor runs " + pinnedFor.wire() + " images only");
        }
    }
}
