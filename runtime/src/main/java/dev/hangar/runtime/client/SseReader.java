package dev.hangar.runtime.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Server-Sent Events as the WHATWG spec parses them: event/data fields, comments, blank-line dispatch. */
final class SseReader {
    record Event(String type, String data) {}

    private final InputStream in;
    private final int max;

    /** Reads events of at most {@code max} bytes each (a `done` event carries the whole prediction, logs included). */
    SseReader(InputStream in, int max) {
        this.in = in;
        this.max = max;
    }

    /** The next event, or null when the stream ends (an unterminated last event is dropped, per spec). */
    Event next() throws IOException {
        String type = null;
        StringBuilder data = null;
        long size = 0;
        for (String line; (line = HttpResponse.readLine(in, StandardCharsets.UTF_8, max)) != null; ) {
            size += line.length() + 1;
            if (size > max) {
                throw new ReplyTooLargeException("an event", max);
            }
            if (line.isEmpty()) {
                if (data != null) {
                    return new Event(type == null ? "message" : type, data.toString());
                }
                type = null;
                size = 0;
                continue;
            }
            if (line.startsWith(":")) {
                continue; // a comment: the runtime's keep-alive
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> type = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> { } // id, retry: not used
            }
        }
        return null;
    }
}
