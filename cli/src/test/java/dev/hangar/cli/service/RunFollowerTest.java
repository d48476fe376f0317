package dev.hangar.cli.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.Events;
import dev.hangar.cli.client.EventStream;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.RunDetail;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.RunStatus;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import org.junit.jupiter.api.Test;

class RunFollowerTest {
    static final URI STREAM = URI.create("ws://127.0.0.1:1/v1/runs/" + Events.ID + "/stream");
    static final RunFollower.Settings FAST = new RunFollower.Settings(2, Duration.ZERO, Duration.ofSeconds(5), Duration.ZERO, 2);

    /** Each open() plays the next script of signals; once they run out, connecting fails. */
    static class ScriptedStream implements EventStream {
        final Deque<List<Signal>> scripts = new ArrayDeque<>();
        final List<URI> uris = new ArrayList<>();
        int opened;

        ScriptedStream then(List<String> frames, boolean clean) {
            List<Signal> s = new ArrayList<>();
            frames.forEach(f -> s.add(new Frame(f)));
            s.add(clean ? new Closed(1000, "") : new Failed(new IOException("connection reset")));
            scripts.add(s);
            return this;
        }

        @Override
        public AutoCloseable open(URI uri, BlockingQueue<Signal> signals) {
            opened++;
            uris.add(uri);
            List<Signal> s = scripts.poll();
            signals.addAll(s != null ? s : List.of(new Failed(new java.net.ConnectException("refused"))));
            return () -> {};
        }
    }

    static final class Recorder implements RunFollower.Listener {
        final List<Long> seqs = new ArrayList<>();
        final List<RunEvent> events = new ArrayList<>();

        @Override
        public void onEvent(JsonNode raw, RunEvent event) {
            seqs.add(raw.path("seq").asLong());
            events.add(event);
        }
    }

    static RunFollower.RunLookup lookups(RunDetail... answers) {
        Deque<RunDetail> queue = new ArrayDeque<>(List.of(answers));
        return id -> queue.size() > 1 ? queue.poll() : queue.peek();
    }

    /** {@code GET /v1/runs/{id}} as the gateway answers it. */
    static RunDetail detail(String s) {
        return Json.read(s, RunDetail.class);
    }

    static final RunFollower.RunLookup NO_LOOKUP = id -> {
        throw new AssertionError("should not poll");
    };

    @Test
    void endsAtTheEnvelopeFrameAndDeliversEachEventOnce() {
        var stream = new ScriptedStream().then(Events.successfulRun(), true);
        var rec = new Recorder();
        var outcome = new RunFollower(stream, NO_LOOKUP, FAST).follow(Events.ID, STREAM, rec);
        assertTrue(outcome.success());
        assertEquals(Events.OUTPUT_PATH, outcome.envelope().outputs().get(0).path());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), rec.seqs);
        assertTrue(rec.events.get(2).event() instanceof RunEvent.Log l && l.line().equals("echoing 1 message"));
        assertEquals(1, stream.opened);
    }

    @Test
    void reconnectsWhenTheStreamDropsAndDropsReplayedDuplicates() {
        var all = Events.successfulRun();
        var stream = new ScriptedStream()
                .then(all.subList(0, 3), false)   // drops after seq 3
                .then(all, true);                 // replay from seq 1, then the rest
        var rec = new Recorder();
        var outcome = new RunFollower(stream, NO_LOOKUP, FAST).follow(Events.ID, STREAM, rec);
        assertTrue(outcome.success());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), rec.seqs);
        assertEquals(2, stream.opened);
    }

    @Test
    void reconnectsWithTheCursorOfTheLastEventSoTheGatewaySendsOnlyWhatFollows() {
        var all = Events.successfulRun();
        var stream = new ScriptedStream()
                .then(all.subList(0, 3), false)   // drops after seq 3
                .then(all.subList(3, all.size()), true);
        var rec = new Recorder();
        assertTrue(new RunFollower(stream, NO_LOOKUP, FAST).follow(Events.ID, STREAM, rec).success());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), rec.seqs);
        assertEquals(List.of(STREAM, URI.create(STREAM + "?after=1:3")), stream.uris);
    }

    @Test
    void aNewAttemptRestartingAtSeqOneIsNotADuplicate() {
        var stream = new ScriptedStream().then(List.of(Events.queued(1), Events.event(2, 1, new RunEvent.Log("stdout", "retry")),
                Events.terminal(2, Events.success()), Events.envelope(Events.success())), true);
        var rec = new Recorder();
        new RunFollower(stream, NO_LOOKUP, FAST).follow(Events.ID, STREAM, rec);
        assertEquals(List.of(1L, 1L, 2L), rec.seqs);
    }

    @Test
    void usesTheTerminalEventsEnvelopeWhenTheStreamClosesBeforeTheEnvelopeFrame() {
        var stream = new ScriptedStream().then(List.of(Events.queued(1), Events.terminal(2, Events.failure())), false);
        var outcome = new RunFollower(stream, NO_LOOKUP, FAST).follow(Events.ID, STREAM, new Recorder());
        assertFalse(outcome.success());
        assertEquals(ErrorCode.ERR_PROCESSOR_FAILED, outcome.envelope().error().code());
        assertEquals(1, stream.opened);
    }

    @Test
    void fallsBackToPollingAfterTheReconnectsAreSpent() {
        var stream = new ScriptedStream(); // every connection is refused
        RunDetail running = detail("{\"execution_id\":\"" + Events.ID + "\",\"status\":\"running\"}");
        RunDetail done = detail(Events.envelope(Events.success()));
        var outcome = new RunFollower(stream, lookups(running, running, done), FAST).follow(Events.ID, STREAM, new Recorder());
        assertTrue(outcome.success());
        assertEquals(1 + FAST.reconnects(), stream.opened);
    }

    @Test
    void pollingGivesUpWhenTheGatewayStaysUnreachableAndNamesTheRun() {
        RunFollower.RunLookup down = id -> {
            throw new CliError(ErrorCode.ERR_UNAVAILABLE, "gateway down");
        };
        var e = assertThrows(CliError.class,
                () -> new RunFollower(new ScriptedStream(), down, FAST).follow(Events.ID, STREAM, new Recorder()));
        assertTrue(e.is(ErrorCode.ERR_UNAVAILABLE));
        assertEquals(Events.ID, e.executionId());
    }

    @Test
    void aSilentStreamIsCheckedAgainstTheGateway() {
        EventStream silent = (uri, signals) -> () -> {};
        var settings = new RunFollower.Settings(0, Duration.ZERO, Duration.ofMillis(20), Duration.ZERO, 0);
        var outcome = new RunFollower(silent, lookups(detail(Events.envelope(Events.failure()))), settings)
                .follow(Events.ID, STREAM, new Recorder());
        assertEquals(RunStatus.ERROR, outcome.envelope().status());
    }

    @Test
    void aSilentStreamOfARunningRunIsReopenedWithoutSpendingRetries() {
        var stream = new ScriptedStream() {
            @Override
            public AutoCloseable open(URI uri, BlockingQueue<Signal> signals) {
                if (opened < 3) { // three connections that never speak
                    opened++;
                    return () -> {};
                }
                return super.open(uri, signals);
            }
        }.then(Events.successfulRun(), true);
        RunDetail running = detail("{\"status\":\"running\"}");
        var settings = new RunFollower.Settings(0, Duration.ZERO, Duration.ofMillis(20), Duration.ZERO, 0);
        var outcome = new RunFollower(stream, lookups(running), settings).follow(Events.ID, STREAM, new Recorder());
        assertTrue(outcome.success());
        assertEquals(4, stream.opened);
    }

    @Test
    void unknownEventTypesReachTheListenerWithoutATypedBody() {
        String future = "{\"schema_version\":1,\"execution_id\":\"" + Events.ID + "\",\"attempt\":1,\"seq\":2,"
                + "\"event\":{\"type\":\"metrics\",\"gpu\":0.5}}";
        var stream = new ScriptedStream().then(List.of(Events.queued(1), future, Events.envelope(Events.success())), true);
        var rec = new Recorder();
        new RunFollower(stream, NO_LOOKUP, FAST).follow(Events.ID, STREAM, rec);
        assertEquals(List.of(1L, 2L), rec.seqs);
        assertTrue(rec.events.get(1) == null || rec.events.get(1).event() == null);
    }

    @Test
    void anErrorCodeNewerThanThisCliIsKeptAsSent() {
        String future = Events.envelope(Events.failure()).replace("ERR_PROCESSOR_FAILED", "ERR_FROM_THE_FUTURE");
        var stream = new ScriptedStream().then(List.of(Events.queued(1), future), true);
        var outcome = new RunFollower(stream, NO_LOOKUP, FAST).follow(Events.ID, STREAM, new Recorder());
        assertNull(outcome.envelope().error().code());
        assertEquals("ERR_FROM_THE_FUTURE", outcome.errorCode());
        assertEquals("ERR_FROM_THE_FUTURE", outcome.json().path("error").path("code").asText());
        assertEquals(Events.ID, outcome.json().path("execution_id").asText());
        var text = new java.io.StringWriter();
        dev.hangar.cli.output.EnvelopePrinter.print(outcome.envelope(), outcome.errorCode(), new java.io.PrintWriter(text));
        assertTrue(text.toString().contains("error:        ERR_FROM_THE_FUTURE: predict() raised"), text::toString);
    }

    @Test
    void aProblemOnTheStreamIsItsErrorNotAnEnvelope() {
        String problem = "{\"type\":\"https://hangar.dev/errors/ERR_RUN_NOT_FOUND\",\"title\":\"No run has that execution id\","
                + "\"status\":404,\"detail\":\"no run " + Events.ID + "\",\"code\":\"ERR_RUN_NOT_FOUND\"}";
        var stream = new ScriptedStream().then(List.of(problem), true);

        var e = assertThrows(CliError.class, () -> new RunFollower(stream, NO_LOOKUP, FAST).follow(Events.ID, STREAM, new Recorder()));

        assertEquals(ErrorCode.ERR_RUN_NOT_FOUND.name(), e.code());
        assertTrue(e.getMessage().contains("no run " + Events.ID), e.getMessage());
    }

    @Test
    void aStreamThatAnswersNoEnvelopeIsAClearRetryableError() {
        // e.g. a proxy in front of the gateway, or something else at the stream URL: JSON with a status, not an envelope
        var stream = new ScriptedStream().then(List.of("{\"status\":\"ok\"}"), true).then(List.of("{\"status\":null}"), true)
                .then(List.of("{\"status\":503,\"title\":\"Service Unavailable\"}"), true);

        var e = assertThrows(CliError.class, () -> new RunFollower(stream, id -> {
            throw new CliError(ErrorCode.ERR_UNAVAILABLE, "cannot reach the gateway");
        }, FAST).follow(Events.ID, STREAM, new Recorder()));

        assertEquals(ErrorCode.ERR_UNAVAILABLE.name(), e.code());
        assertFalse(e.getMessage().contains("status null"), e.getMessage());
        assertTrue(e.getMessage().contains("answered with no run envelope") && e.getMessage().contains(STREAM.toString()),
                e.getMessage());
    }

    @Test
    void aStreamThatAnswersNoEnvelopeFallsBackToTheRunsRecord() {
        var stream = new ScriptedStream().then(List.of("{\"status\":\"ok\"}"), true);
        var done = RunDetail.of(Events.success());

        var outcome = new RunFollower(stream, id -> done, FAST).follow(Events.ID, STREAM, new Recorder());

        assertTrue(outcome.success(), outcome.json().toString());
    }
}
