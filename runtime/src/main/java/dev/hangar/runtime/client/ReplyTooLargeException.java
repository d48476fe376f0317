package dev.hangar.runtime.client;

import java.io.IOException;

/**
 * The runtime sent more than the client reads: a body, one SSE event, a line or a header block
 * past its limit ({@link RuntimeClient#withMaxReplyBytes}). Reading stops there, so a container
 * that floods costs the caller at most the limit in memory.
 */
public final class ReplyTooLargeException extends IOException {
    private final long limit;

    ReplyTooLargeException(String what, long limit) {
        super("the container sent " + what + " larger than " + limit + " bytes; reading stopped there");
        this.limit = limit;
    }

    /** The limit that was passed, in bytes. */
    public long limit() {
        return limit;
    }
}
