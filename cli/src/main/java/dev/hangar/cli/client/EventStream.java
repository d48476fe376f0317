package dev.hangar.cli.client;

import java.net.URI;
import java.util.concurrent.BlockingQueue;

/** A run's event stream as a queue of signals: every text frame, then exactly one end. */
public interface EventStream {

    /** What a connection reports. */
    sealed interface Signal permits Frame, Closed, Failed {}

    /** One complete text frame. */
    record Frame(String text) implements Signal {}

    /** The server closed the connection. */
    record Closed(int code, String reason) implements Signal {}

    /** The connection could not be opened or broke. */
    record Failed(Throwable error) implements Signal {}

    /**
     * Connects and delivers signals to {@code signals}; a failure to connect is delivered as
     * {@link Failed}, not thrown. Closing the handle ends the connection.
     */
    AutoCloseable open(URI uri, BlockingQueue<Signal> signals);
}
