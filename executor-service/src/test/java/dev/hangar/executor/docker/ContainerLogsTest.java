package dev.hangar.executor.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The stderr_tail of an error envelope: as many lines as hangar.executor.stderr-tail-lines says. */
class ContainerLogsTest {

    private static Frame frame(String text) {
        return new Frame(StreamType.STDERR, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void keepsTheConfiguredNumberOfLastContainerLines() {
        var logs = new ContainerLogs(3);
        logs.onNext(frame("one\ntwo\n"));
        logs.onNext(frame("three\n\n   \n"));
        logs.onNext(frame("four\nfive"));

        assertEquals("three\nfour\nfive", logs.tail(), "blank lines do not count");
    }

    @Test
    void aFailedPredictionsOwnLogsAreCutToTheSameLength() {
        var logs = new ContainerLogs(2);
        logs.onNext(frame("container line"));

        assertEquals("  File \"predict.py\", line 9\nValueError: bad input",
                logs.tail("starting\nTraceback (most recent call last):\n  File \"predict.py\", line 9\nValueError: bad input\n"));
        assertEquals(5, new ContainerLogs(5).tail("1\n2\n3\n4\n5\n6\n7\n8").lines().count(),
                "not a fixed 40: the configured count");
    }

    @Test
    void withoutPredictionLogsTheContainersTailIsUsed() {
        var logs = new ContainerLogs(40);
        assertNull(logs.tail(), "nothing printed, no tail");
        assertNull(logs.tail(" "));
        logs.onNext(frame("Killed\n"));
        assertEquals("Killed", logs.tail(null));
        assertEquals("Killed", logs.tail(""));
    }
}
