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
            throw new HangarException(ErrorCode.ERR_UNAVAILABLE, service + " is unreachable: " + reason(e), e);
        }
    }

    /**
     * The failure's message and, when it wraps others, the innermost one's: a TLS failure reads
     * "Failed to create SSL connection" on top, and only its root says which check failed (an
     * unknown CA, a certificate for another name).
     */
    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = e.getMessage();
        if (root == e || root.getMessage() == null || (message != null && message.contains(root.getMessage()))) {
            return message;
        }
        return message + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
}
