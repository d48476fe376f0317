package dev.hangar.executor.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/** Follows a container's output and keeps its last lines for an error envelope's stderr_tail. */
final class ContainerLogs extends ResultCallback.Adapter<Frame> {
    private final int keep;
    private final Deque<String> lines = new ArrayDeque<>();

    ContainerLogs(int keep) {
        this.keep = keep;
    }

    @Override
    public void onNext(Frame frame) {
        String text = new String(frame.getPayload(), StandardCharsets.UTF_8);
        synchronized (lines) {
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    lines.addLast(line);
                    if (lines.size() > keep) {
                        lines.removeFirst();
                    }
                }
            }
        }
    }

    String tail() {
        synchronized (lines) {
            return lines.isEmpty() ? null : String.join("\n", lines);
        }
    }
}
