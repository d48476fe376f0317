package dev.hangar.kit.client;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import java.util.function.Supplier;

/**
 * A call to another Hangar service: its problem answers arrive as {@link HangarException}s (see
 * {@link ProblemExceptionMapper}) and pass through; not reaching it at all is ERR_UNAVAILABLE.
 */
public final class Remote {
    private Remote() {}

    public static <T> T call(String service, Supplier<T> request) {
        try {
            return request.get();
        } catch (HangarException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, service + " is unreachable: " + e.getMessage(), e);
        }
    }
}
