package dev.hangar.executor.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.HangarException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows the events file the job's driver appends to in the shared run folder: whole JSON lines
 * only, from where the last read stopped. The container writes the file, so it is not trusted: it
 * is never followed through a link, and a line longer than the limit fails the run.
 */
final class EventsTail {
    private final Path file;
    private final int maxLineBytes;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private long offset;

    EventsTail(Path file, int maxLineBytes) {
        this.file = file;
        this.maxLineBytes = maxLineBytes;
    }

    /** One event the driver wrote: its type and data. */
    record Event(String event, JsonNode data) {}

    /** The events written since the last call (none if the file does not exist yet). */
    List<Event> read() {
        var events = new ArrayList<Event>();
        try (var channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            var buffer = ByteBuffer.allocate(64 * 1024);
            channel.position(offset);
            for (int n; (n = channel.read(buffer)) > 0; buffer.clear()) {
                offset += n;
                byte[] bytes = buffer.array();
                for (int i = 0; i < n; i++) {
                    if (bytes[i] == '\n') {
                        line(partial.toString(StandardCharsets.UTF_8), events);
                        partial.reset();
                    } else {
                        partial.write(bytes[i]);
                    }
                }
                if (partial.size() > maxLineBytes) {
                    throw new HangarException(ErrorCode.ERR_OUTPUT_LIMIT, "the run wrote an event larger than "
                            + maxLineBytes + " bytes (hangar.executor.limits.max-reply-bytes)");
                }
            }
        } catch (NoSuchFileException notYet) {
            return events;
        } catch (IOException e) {
            throw new HangarException(ErrorCode.ERR_CONTAINER_FAILED, "cannot read the run's events from the shared folder: "
                    + e.getMessage(), e);
        }
        return events;
    }

    private static void line(String text, List<Event> events) {
        if (text.isBlank()) {
            return;
        }
        try {
            JsonNode node = SlurmClient.JSON.readTree(text);
            events.add(new Event(node.path("event").asText(""), node.path("data")));
        } catch (IOException notJson) {
            events.add(new Event("log", SlurmClient.JSON.createObjectNode().put("source", "stderr")
                    .put("data", "hangar: an unreadable event line from the job was skipped")));
        }
    }
}
