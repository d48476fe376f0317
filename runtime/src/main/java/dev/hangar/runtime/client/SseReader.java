package dev.hangar.runtime.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Server-Sent Events as the WHATWG spec parses them: event/data fields, comments, blank-line dispatch. */
final class SseReader {
    /** A `done` event carries the whole prediction, logs and output included. */
    private static final int MAX_LINE = 64 * 1024 * 1024;

    record Event(String type, String data) {}

    private final InputStream in;

    SseReader(InputStream in) {
        this.in = in;
    }

    /** The next event, or null when the stream ends (an unterminated last event is dropped, per spec). */
    Event next() throws IOException {
        String type = null;
        StringBuilder data = null;
        for (String line; (line = HttpResponse.readLine(in, StandardCharsets.UTF_8, MAX_LINE)) != null; ) {
            if (line.isEmpty()) {
                if (data != null) {
                    return new Event(type == null ? "message" : type, data.toString());
                }
                type = null;
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
