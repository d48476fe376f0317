package dev.hangar.cli.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.client.CliJson;
import dev.hangar.cli.client.EventStream;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Problem;
import dev.hangar.contracts.RunDetail;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunStatus;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Follows one run to its envelope: over the event stream, reconnecting when it drops with the
 * cursor of the last event it has ({@code ?after=<attempt>:<seq>}, so the gateway — the same
 * replica or another — sends only what comes after it; an event already delivered is
 * still dropped), then, if the stream keeps failing, by polling {@code GET /v1/runs/{id}}.
 */
public final class RunFollower {

    /** Receives each new event once, in arrival order; {@code event} is null for a type this CLI does not know. */
    @FunctionalInterface
    public interface Listener {
        void onEvent(JsonNode raw, RunEvent event);
    }

    /** {@code GET /v1/runs/{id}}: the run, with its envelope once it is over. */
    @FunctionalInterface
    public interface RunLookup {
        RunDetail get(String executionId);
    }

    /**
     * @param reconnects   how many times to reopen a stream that ends before the envelope
     * @param backoff      the wait before the n-th reconnect is n times this
     * @param idle         with no frame for this long, ask the gateway whether the run is over (and reconnect if not)
     * @param pollInterval the wait between polls once the stream is given up
     * @param pollFailures consecutive unreachable polls tolerated
     */
    public record Settings(int reconnects, Duration backoff, Duration idle, Duration pollInterval, int pollFailures) {
        public static final Settings DEFAULT = new Settings(3, Duration.ofMillis(500), Duration.ofSeconds(15),
                Duration.ofSeconds(1), 10);

        public Settings withIdle(Duration d) {
            return new Settings(reconnects, backoff, d, pollInterval, pollFailures);
        }
    }

    /**
     * How a run ended: its envelope, and its error code as the gateway sent it (null without an
     * error), which may be newer than this CLI's {@link ErrorCode}.
     */
    public record Outcome(Envelope envelope, String errorCode) {
        static Outcome of(Envelope envelope) {
            ErrorCode code = envelope.error() == null ? null : envelope.error().code();
            return new Outcome(envelope, code == null ? null : code.name());
        }

        /** An envelope as the gateway sent it, keeping an error code this CLI does not know. */
        static Outcome read(JsonNode envelope) {
            return new Outcome(CliJson.convert(envelope, Envelope.class), CliJson.errorCode(envelope));
        }

        public boolean success() {
            return envelope.status() == RunStatus.SUCCESS;
        }

        /** The envelope for {@code --json}. */
        public JsonNode json() {
            return CliJson.envelope(envelope, errorCode);
        }
    }

    private final EventStream stream;
    private final RunLookup lookup;
    private final Settings settings;
    /** The last frame a stream sent that was neither an event nor an envelope (for the error if polling fails too). */
    private String answered;

    public RunFollower(EventStream stream, RunLookup lookup, Settings settings) {
        this.stream = stream;
        this.lookup = lookup;
        this.settings = settings;
    }

    public Outcome follow(String executionId, URI streamUri, Listener listener) {
        try {
            Cursor seen = new Cursor();
            int retriesLeft = settings.reconnects();
            while (true) {
                Session session = new Session(seen, listener);
                Outcome done = session.run(executionId, seen.after(streamUri));
                if (done != null) {
                    return done;
                }
                if (session.notEnvelope != null) {
                    answered = session.notEnvelope;
                }
                if (session.terminal != null) {
                    return session.terminal; // the stream closed between the terminal event and the envelope frame
                }
                if (session.progressed || session.quietButRunning) {
                    retriesLeft = settings.reconnects();
                }
                if (session.quietButRunning) {
                    continue; // a quiet run, or a stream that died without a close: reopen at once
                }
                if (retriesLeft-- <= 0) {
                    return poll(executionId, streamUri);
                }
                sleep(settings.backoff().multipliedBy(settings.reconnects() - retriesLeft));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliError(ErrorCode.ERR_CANCELED, "interrupted while following the run", e).forRun(executionId);
        } catch (CliError e) {
            throw e.forRun(executionId);
        }
    }

    /** The events delivered, and the furthest (attempt, seq) among them: what a reconnect resumes after. */
    static final class Cursor {
        private final Set<String> seen = new HashSet<>();
        int attempt;
        long seq;
        boolean any;

        /** Whether the event is new, remembering it if so. */
        boolean advance(int eventAttempt, long eventSeq) {
            if (!seen.add(eventAttempt + ":" + eventSeq)) {
                return false;
            }
            if (!any || eventAttempt > attempt || (eventAttempt == attempt && eventSeq > seq)) {
                attempt = eventAttempt;
                seq = eventSeq;
                any = true;
            }
            return true;
        }

        /** The stream URI resuming after the cursor (the URI itself before any event). */
        URI after(URI stream) {
            if (!any) {
                return stream;
            }
            String s = stream.toString();
            return URI.create(s + (s.contains("?") ? "&" : "?") + "after=" + attempt + ":" + seq);
        }
    }

    /** One connection: returns the outcome if the envelope frame arrived, else null. */
    private final class Session {
        final Cursor seen;
        final Listener listener;
        boolean progressed;
        boolean quietButRunning;
        Outcome terminal;
        String notEnvelope;

        Session(Cursor seen, Listener listener) {
            this.seen = seen;
            this.listener = listener;
        }

        Outcome run(String executionId, URI uri) throws InterruptedException {
            BlockingQueue<EventStream.Signal> signals = new LinkedBlockingQueue<>();
            AutoCloseable connection = stream.open(uri, signals);
            try {
                while (true) {
                    EventStream.Signal s = signals.poll(settings.idle().toMillis(), TimeUnit.MILLISECONDS);
                    if (s == null) {
                        // The JDK client can miss an abrupt TCP close and then wait forever, so
                        // silence ends this connection: either the run is over, or it is reopened.
                        return finishedOrNull(executionId);
                    } else if (s instanceof EventStream.Frame f) {
                        Outcome done = frame(f.text());
                        if (done != null) {
                            return done;
                        }
                        if (notEnvelope != null) {
                            return null; // not a stream of this run: count it as a failed connection
                        }
                    } else {
                        return null;
                    }
                }
            } finally {
                try {
                    connection.close();
                } catch (Exception e) {
                    // already gone
                }
            }
        }

        private Outcome frame(String text) {
            JsonNode node;
            try {
                node = CliJson.parse(text);
            } catch (JsonProcessingException e) {
                return null; // not ours to judge; the envelope still ends the run
            }
            if (node == null || !node.isObject()) {
                return null;
            }
            if (!node.has("event")) {
                return ending(node);
            }
            RunEvent event = readEvent(node);
            if (node.path("seq").canConvertToLong() && !seen.advance(node.path("attempt").asInt(), node.path("seq").asLong())) {
                return null; // replayed: the listener has it
            }
            progressed = true;
            listener.onEvent(node, event);
            if (event != null && event.event() instanceof RunEvent.Terminal t && t.envelope() != null) {
                terminal = Outcome.of(t.envelope());
            }
            return null;
        }

        /**
         * A frame that is not an event: the run's envelope (its status is a run's end); a problem
         * (the gateway refused the stream: no such run, bad token) is that error; anything else
         * (a proxy's page, another server at the URL) ends this connection as a failed one, so the
         * run is followed by reconnecting and then polling, and a clear error if that fails too.
         */
        private Outcome ending(JsonNode node) {
            if (!node.has("status")) {
                return null;
            }
            JsonNode status = node.get("status");
            if (status.isTextual() && List.of("success", "error", "canceled").contains(status.asText())) {
                return Outcome.read(node);
            }
            if (node.path("code").isTextual() && node.path("code").asText().startsWith("ERR_")) {
                throw CliError.from(CliJson.convert(node, Problem.class), node.path("code").asText());
            }
            notEnvelope = node.toString().length() > 200 ? node.toString().substring(0, 200) + "…" : node.toString();
            return null;
        }

        /** While the stream is silent: did the run end without the stream telling us? */
        private Outcome finishedOrNull(String executionId) {
            try {
                Outcome finished = finished(lookup.get(executionId));
                quietButRunning = finished == null;
                return finished;
            } catch (CliError e) {
                return null; // counts as a failed connection
            }
        }
    }

    private Outcome poll(String executionId, URI streamUri) throws InterruptedException {
        int failures = 0;
        while (true) {
            try {
                Outcome finished = finished(lookup.get(executionId));
                if (finished != null) {
                    return finished;
                }
                failures = 0;
            } catch (CliError e) {
                if (!e.is(ErrorCode.ERR_UNAVAILABLE) || ++failures > settings.pollFailures()) {
                    if (answered != null) {
                        throw new CliError(ErrorCode.ERR_UNAVAILABLE, "the run's stream at " + streamUri + " answered with no "
                                + "run envelope or event (" + answered + ") and the run's record could not be read either ("
                                + e.getMessage() + "); check --base-url (a proxy in front of the gateway?) and consider retrying: "
                                + "`hangar runs watch " + executionId + "`", e);
                    }
                    throw e;
                }
            }
            sleep(settings.pollInterval());
        }
    }

    private static Outcome finished(RunDetail run) {
        return run == null ? null : run.envelope().map(Outcome::of).orElse(null);
    }


    private static RunEvent readEvent(JsonNode node) {
        try {
            return CliJson.LENIENT.treeToValue(node, RunEvent.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
    }

    private static void sleep(Duration d) throws InterruptedException {
        if (!d.isZero()) {
            Thread.sleep(d.toMillis());
        }
    }
}
