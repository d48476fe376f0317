package dev.hangar.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.OutputRef;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.RunEvent;
import dev.hangar.contracts.Topics;
import dev.hangar.kit.testing.Scrape;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Events written to the real {@code hangar.runs.events} topic (as an executor would) reach the
 * run index and every WebSocket subscriber: late ones get the replay first, and the last frame
 * is the envelope.
 */
@QuarkusTest
class RunStreamSocketTest {
    static final String RUN_SOCKETS = "hangar_stream_subscribers{socket=\"run\"}";

    @TestHTTPResource("/")
    URI base;

    KafkaProducer<String, String> producer;

    @jakarta.inject.Inject
    io.agroal.api.AgroalDataSource db;

    /** The run as the gateway's submission leaves it, owned by the tests' owner: a run without one is nobody's. */
    void queued(String id) throws Exception {
        try (var c = db.getConnection(); var ps = c.prepareStatement("INSERT INTO runs (execution_id, ref, adapter, mode, status, owner) "
                + "VALUES (?, 'gwtest/stream@1', 'local', 'mock', 'queued', 'local')")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
    }

    @BeforeEach
    void open() {
        producer = TestStack.producer();
    }

    @AfterEach
    void close() {
        producer.close();
    }

    String send(String id, long seq, RunEvent.Body body) throws Exception {
        String json = Json.write(RunEvent.of(id, 1, seq, null, body));
        TestStack.send(producer, Topics.RUNS_EVENTS, id, json);
        return json;
    }

    static Envelope envelope(String id) {
        var meta = new Envelope.Meta("gwtest/stream@1", Adapter.LOCAL, Mode.MOCK, Platform.AMD64, 1, "sha256:" + "a".repeat(64),
                null, 5L, 1L, null, null);
        return Envelope.success(id, List.of(new OutputRef("/artifacts/outputs/x/" + id + "/output.json",
                "sha256:" + "b".repeat(64), 3, "application/json")), "/artifacts/outputs/x/" + id + "/outputs.json", meta);
    }

    @Test
    void lateAndEarlySubscribersEachGetEveryEventThenTheEnvelope() throws Exception {
        String id = "r-test" + UUID.randomUUID().toString().replace("-", "");
        double following = Scrape.value(RUN_SOCKETS);
        var ref = ProcessorRef.parse("gwtest/stream@1");
        queued(id);
        send(id, 1, new RunEvent.Started(ref, Adapter.LOCAL, Mode.MOCK, "sha256:" + "a".repeat(64), "executor-test"));
        send(id, 2, new RunEvent.Log("stdout", "first line"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().when().get("/v1/runs/" + id).then().statusCode(200).body("status", equalTo("running")));

        var early = Frames.connect(base, id);
        var second = Frames.connect(base, id);
        var leaving = Frames.connect(base, id);
        leaving.closeOnEnvelope = true; // closes before the gateway's linger is out, as the CLI does
        await().atMost(Duration.ofSeconds(10)).until(() -> early.frames.size() == 2 && second.frames.size() == 2
                && leaving.frames.size() == 2);
        send(id, 3, new RunEvent.Token("Hello"));
        send(id, 3, new RunEvent.Token("Hello")); // a duplicate (redelivery) must not reach anyone twice
        send(id, 4, RunEvent.terminal(envelope(id)));

        for (var client : List.of(early, second, leaving)) {
            client.closed.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(5, client.frames.size(), client.frames.toString());
            assertEquals(List.of(1L, 2L, 3L, 4L), client.frames.subList(0, 4).stream().map(f -> f.get("seq").asLong()).toList());
            assertEquals("success", client.frames.get(4).get("status").asText(), "the last frame is the envelope");
        }

        var late = Frames.connect(base, id);
        late.closed.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(5, late.frames.size(), "a subscriber after the end gets the whole replay and the envelope");
        assertEquals(Json.MAPPER.readTree(Json.write(envelope(id))), late.frames.get(4));

        JsonNode stored = Json.MAPPER.readTree(given().when().get("/v1/runs/" + id).then().statusCode(200).extract().asString());
        assertEquals(late.frames.get(4), stored, "GET /v1/runs/{id} returns the same envelope");
        // every socket the stream closed has left its run (the close callback, on the event loop, drops it)
        await().atMost(Duration.ofSeconds(10)).until(() -> Scrape.value(RUN_SOCKETS) == following);
    }

    /**
     * Sockets joining while the run streams (their replay overlaps the live events) and sockets
     * that joined before: each gets every event once, in order, then the envelope — the terminal
     * frame reaches every socket before any is ended.
     */
    @Test
    void socketsJoiningMidStreamGetEveryEventOnceInOrder() throws Exception {
        String id = "r-test" + UUID.randomUUID().toString().replace("-", "");
        queued(id);
        send(id, 1, new RunEvent.Started(ProcessorRef.parse("gwtest/stream@1"), Adapter.LOCAL, Mode.MOCK, "sha256:" + "a".repeat(64),
                "executor-test"));
        var early = new java.util.ArrayList<Frames>();
        for (int i = 0; i < 10; i++) {
            early.add(Frames.connect(base, id));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> early.stream().allMatch(f -> f.frames.size() == 1));
        var late = new java.util.ArrayList<Frames>();
        int tokens = 40;
        for (int seq = 2; seq <= tokens + 1; seq++) {
            send(id, seq, new RunEvent.Token("t" + seq));
            if (seq % 4 == 0) {
                late.add(Frames.connect(base, id)); // joins while events are being stored and fanned out
            }
        }
        send(id, tokens + 1, new RunEvent.Token("t" + (tokens + 1))); // a redelivery
        send(id, tokens + 2, RunEvent.terminal(envelope(id)));
        var all = new java.util.ArrayList<>(early);
        all.addAll(late);
        var expected = java.util.stream.LongStream.rangeClosed(1, tokens + 2).boxed().toList();
        for (var client : all) {
            client.closed.get(30, java.util.concurrent.TimeUnit.SECONDS);
            var seqs = client.frames.subList(0, client.frames.size() - 1).stream().map(f -> f.get("seq").asLong()).toList();
            assertEquals(expected, seqs, "every event once, in order");
            assertEquals("success", client.frames.getLast().get("status").asText(), "the last frame is the envelope");
        }
    }

    @Test
    void unknownRunClosesWithAProblem() throws Exception {
        var client = Frames.connect(base, "r-nosuchrun00000000");
        client.closed.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals("ERR_RUN_NOT_FOUND", client.frames.get(0).get("code").asText());
    }

    @Test
    void unreadableEventsDoNotStopTheConsumer() throws Exception {
        TestStack.send(producer, Topics.RUNS_EVENTS, "junk", "{not json");
        String id = "r-test" + UUID.randomUUID().toString().replace("-", "");
        queued(id);
        send(id, 1, RunEvent.terminal(envelope(id)));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().when().get("/v1/runs/" + id).then().statusCode(200).body("status", equalTo("success")));
    }

    /** A real WebSocket client collecting JSON frames. */
    static final class Frames implements WebSocket.Listener {
        final List<JsonNode> frames = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        volatile boolean closeOnEnvelope;
        private final StringBuilder partial = new StringBuilder();

        static Frames connect(URI base, String id) throws Exception {
            return connect(base, id, null);
        }

        static Frames connect(URI base, String id, String authorization) throws Exception {
            URI ws = URI.create(base.toString().replaceFirst("^http", "ws") + "v1/runs/" + id + "/stream");
            return connectTo(ws, authorization == null ? java.util.Map.of() : java.util.Map.of("Authorization", authorization));
        }

        /** Opens {@code ws} with these upgrade headers (a browser's Cookie and Origin, a bearer token). */
        static Frames connectTo(URI ws, java.util.Map<String, String> headers) throws Exception {
            var listener = new Frames();
            var builder = HttpClient.newHttpClient().newWebSocketBuilder();
            headers.forEach(builder::header);
            builder.buildAsync(ws, listener).get(10, java.util.concurrent.TimeUnit.SECONDS);
            return listener;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode frame = Json.MAPPER.readTree(partial.toString());
                    frames.add(frame);
                    if (closeOnEnvelope && frame.has("status") && !frame.has("event")) {
                        socket.sendClose(WebSocket.NORMAL_CLOSURE, "got the envelope");
                    }
                } catch (Exception e) {
                    closed.completeExceptionally(e);
                }
                partial.setLength(0);
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
            closed.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
