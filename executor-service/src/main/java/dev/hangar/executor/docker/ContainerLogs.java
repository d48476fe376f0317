package dev.hangar.executor.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Follows a container's output and keeps its last lines for an error envelope's stderr_tail
 * ({@code hangar.executor.stderr-tail-lines} of them).
 */
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

    /** The container's last lines, or null if it printed nothing. */
    String tail() {
        synchronized (lines) {
            return lines.isEmpty() ? null : String.join("\n", lines);
        }
    }

    /**
     * The last lines of what a failed prediction printed (its traceback included), cut to the same
     * length as {@link #tail()}; the container's own tail when the prediction reported nothing.
     */
    String tail(String predictionLogs) {
        if (predictionLogs == null || predictionLogs.isBlank()) {
            return tail();
        }
        List<String> printed = List.of(predictionLogs.strip().split("\n"));
        return String.join("\n", printed.subList(Math.max(0, printed.size() - keep), printed.size()));
    }
}
