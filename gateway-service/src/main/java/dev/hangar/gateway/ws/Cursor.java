package dev.hangar.gateway.ws;

import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;

/**
 * Where a subscriber resumes: the (attempt, seq) of the last event it has, written
 * {@code <attempt>:<seq>} in {@code ?after=} or a {@code Last-Event-ID} header. The stream then
 * sends only what comes after it. {@link #START} is before every event.
 */
record Cursor(int attempt, long seq) {
    static final Cursor START = new Cursor(0, 0);

    /** Parses {@code ?after=} (or, without it, {@code Last-Event-ID}); neither is {@link #START}. */
    static Cursor parse(String after, String lastEventId) {
        String text = after != null && !after.isBlank() ? after : lastEventId;
        if (text == null || text.isBlank()) {
            return START;
        }
        int colon = text.indexOf(':');
        try {
            if (colon > 0) {
                var cursor = new Cursor(Integer.parseInt(text.substring(0, colon).strip()), Long.parseLong(text.substring(colon + 1).strip()));
                if (cursor.attempt >= 0 && cursor.seq >= 0) {
                    return cursor;
                }
            }
        } catch (NumberFormatException e) {
            // fall through to the refusal
        }
        throw new HangarException(ErrorCode.ERR_BAD_REQUEST, "the stream cursor '" + (text.length() > 64 ? text.substring(0, 64) + "…" : text)
                + "' is not <attempt>:<seq> (two non-negative integers, e.g. after=1:42, the attempt and seq of the last event you have)");
    }
}
