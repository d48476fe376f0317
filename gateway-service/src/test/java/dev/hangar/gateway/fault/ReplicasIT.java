package dev.hangar.gateway.fault;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Topics;
import dev.hangar.gateway.service.RunSweeper;
import dev.hangar.kit.testing.PrivateKafka;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two gateway replicas (real processes) on one private Kafka and one database: each sends every
 * event to its own subscribers once, a subscriber resumes from its cursor on the other replica
 * after its own is killed, the sweepers of both end an overdue run exactly once, and every
 * input has a bound with a clear error past it.
 */
class ReplicasIT {
    static Path dir;
    static PrivatePostgres pg;
    static PrivateKafka kafka;
    static GatewayProcess one;
    static GatewayProcess two;
    static Bus bus;

    @BeforeAll
    static void start() throws Exception {
        Registry.registerEcho();
        dir = Files.createTempDirectory("hangar-replicas-");
        pg = new PrivatePostgres(dir);
        kafka = PrivateKafka.started(dir.resolve("kafka"), List.of(Topics.RUNS_REQUESTED, Topics.RUNS_EVENTS, Topics.RUNS_CONTROL,
                Topics.RUNS_EVENTS_DLQ));
        var settings = Map.of("hangar.gateway.stream.replay-page-size", "7",
                "hangar.gateway.sweeper.interval", "300ms", "hangar.gateway.sweeper.queue-deadline", "2s",
                "hangar.gateway.sweeper.grace", "1s", "hangar.gateway.outbox.interval", "300ms",
                "quarkus.http.limits.max-body-size", "64K");
        one = new GatewayProcess("replica-1", kafka.bootstrap(), pg.jdbcUrl(), settings);
        two = new GatewayProcess("replica-2", kafka.bootstrap(), pg.jdbcUrl(), settings);
        bus = new Bus(kafka.bootstrap());
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {bus, one, two, kafka, pg}) {
            if (c != null) {
                c.close();
            }
        }
        if (dir != null) {
            Processes.run(java.util.List.of("rm", "-rf", dir.toString())); // the broker's and the cluster's data
        }
    }

    static String newId() throws Exception {
        return pg.ownedRun("r-rep" + UUID.randomUUID().toString().replace("-", "").substring(0, 20), GatewayProcess.OWNER);
    }

    static List<String> positions(long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(s -> "1:" + s).toList();
    }

    static URI runStream(GatewayProcess gateway, String id, String query) {
        return gateway.ws("/v1/runs/" + id + "/stream" + query);
    }

    @Test
    void eachReplicaSendsEveryEventToItsOwnSubscribersOnce() throws Exception {
        var allOnOne = Stream.open(one.ws("/v1/runs/stream"));
        var allOnTwo = Stream.open(two.ws("/v1/runs/stream"));
        String warmUp = newId();
        bus.started(warmUp, 1); // once both all-runs sockets show it, both are following
        await().atMost(Duration.ofSeconds(20)).until(() -> !allOnOne.eventsOf(warmUp).isEmpty() && !allOnTwo.eventsOf(warmUp).isEmpty());
        String id = newId();
        bus.started(id, 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> two.get("/v1/runs/" + id).statusCode() == 200);
        var onOne = Stream.open(runStream(one, id, ""));
        var onTwo = Stream.open(runStream(two, id, ""));
        await().atMost(Duration.ofSeconds(10)).until(() -> onOne.positions().size() == 1 && onTwo.positions().size() == 1);
        for (long seq = 2; seq <= 20; seq++) {
            bus.log(id, 1, seq);
            if (seq == 5) {
                bus.log(id, 1, 5); // a redelivered record
            }
        }
        bus.completed(id, 1, 21);
        for (var stream : List.of(onOne, onTwo)) {
            stream.ended.get(20, TimeUnit.SECONDS);
            assertEquals(positions(1, 21), stream.positions());
            assertEquals("success", stream.frames.getLast().path("status").asText());
        }
        for (var all : List.of(allOnOne, allOnTwo)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> all.eventsOf(id).size() >= 21);
            assertEquals(positions(1, 21), all.eventsOf(id).stream().map(f -> "1:" + f.get("seq").asLong()).toList(),
                    "the all-runs stream of each replica has every event once");
        }
    }

    @Test
    void aSubscriberResumesFromItsCursorOnTheOtherReplicaAndOnTheRestartedOne() throws Exception {
        String id = newId();
        bus.started(id, 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> one.get("/v1/runs/" + id).statusCode() == 200);
        var first = Stream.open(runStream(one, id, ""));
        for (long seq = 2; seq <= 10; seq++) {
            bus.log(id, 1, seq);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> first.positions().size() == 10);
        one.kill();
        first.ended.handle((code, error) -> null).get(20, TimeUnit.SECONDS); // the socket broke
        for (long seq = 11; seq <= 25; seq++) {
            bus.log(id, 1, seq);
        }
        String cursor = first.positions().getLast();
        var resumed = Stream.open(runStream(two, id, "?after=" + cursor));
        for (long seq = 26; seq <= 30; seq++) {
            bus.log(id, 1, seq);
        }
        bus.completed(id, 1, 31);
        resumed.ended.get(20, TimeUnit.SECONDS);
        var all = new ArrayList<>(first.positions());
        all.addAll(resumed.positions());
        assertEquals(positions(1, 31), all, "no gap, no duplicate across the reconnect");
        assertEquals("success", resumed.frames.getLast().path("status").asText());

        one.start();
        var header = Stream.open(runStream(one, id, ""), Map.of("Last-Event-ID", "1:20"));
        header.ended.get(20, TimeUnit.SECONDS);
        assertEquals(positions(21, 31), header.positions(), "Last-Event-ID on the restarted replica");
        var pastTheEnd = Stream.open(runStream(one, id, "?after=1:31"));
        pastTheEnd.ended.get(20, TimeUnit.SECONDS);
        assertEquals(1, pastTheEnd.frames.size());
        assertEquals("success", pastTheEnd.frames.getFirst().path("status").asText(), "only the envelope is left");
        var bad = Stream.open(runStream(two, id, "?after=banana"));
        bad.ended.get(20, TimeUnit.SECONDS);
        assertEquals("ERR_BAD_REQUEST", bad.frames.getFirst().path("code").asText());
        assertTrue(bad.frames.getFirst().path("detail").asText().contains("<attempt>:<seq>"));
    }

    @Test
    void overdueRunsEndOnceWithTimeoutWhateverComesLate() throws Exception {
        // queued, and no executor ever takes it
        var queued = Json.MAPPER.readTree(one.post("/v1/runs", "{\"ref\":\"" + Bus.REF + "\",\"inputs\":{}}").body());
        String q = queued.path("execution_id").asText();
        var watchOne = Stream.open(runStream(one, q, ""));
        var watchTwo = Stream.open(runStream(two, q, ""));
        for (var stream : List.of(watchOne, watchTwo)) {
            stream.ended.get(30, TimeUnit.SECONDS);
            assertEquals(List.of("1:" + RunSweeper.GATEWAY_SEQ), stream.positions());
            JsonNode envelope = stream.frames.getLast();
            assertEquals("ERR_TIMEOUT", envelope.path("error").path("code").asText(), envelope.toString());
            assertTrue(envelope.path("error").path("message").asText().contains("no executor started the run"));
        }
        assertEquals(1, terminals(q), "both sweepers ran; one ended it");

        // running, and its executor goes quiet past its 1 s timeout and the 1 s grace
        var running = Json.MAPPER.readTree(two.post("/v1/runs",
                "{\"ref\":\"" + Bus.REF + "\",\"inputs\":{},\"timeout_seconds\":1}").body());
        String r = running.path("execution_id").asText();
        bus.started(r, 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> "error".equals(status(r)));
        bus.completed(r, 1, 2); // the executor's own end, too late
        bus.log(r, 1, 3);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> terminals(r) == 1 && "error".equals(status(r)));
        assertEquals(1, count("SELECT count(*) FROM run_events WHERE execution_id = '" + r + "'") - 1, "only started and the sweeper's end");
    }

    @Test
    void requestBodiesAndSocketMessagesAreBounded() throws Exception {
        String big = "{\"ref\":\"" + Bus.REF + "\",\"inputs\":{\"text\":\"" + "x".repeat(70_000) + "\"}}";
        var answer = GatewayProcess.HTTP.send(HttpRequest.newBuilder(URI.create(one.url("/v1/runs")))
                .header("Authorization", "Bearer " + GatewayProcess.TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(big)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, answer.statusCode(), answer.body());
        var problem = Json.MAPPER.readTree(answer.body());
        assertEquals("ERR_BAD_REQUEST", problem.path("code").asText());
        assertTrue(problem.path("detail").asText().contains("at most 65536 bytes"), problem.toString());

        String id = newId();
        bus.started(id, 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> one.get("/v1/runs/" + id).statusCode() == 200);
        var stream = Stream.open(runStream(one, id, ""));
        stream.socket.sendText("y".repeat(10_000), true);
        // Netty refuses the frame (CorruptedWebSocketFrameException) and drops the connection: 1009 where
        // the close frame gets through, 1006 (abnormal closure) for a client that only sees the drop
        // (the JDK client can miss an abrupt close: a ping on the dropped connection shows it, and
        // in the end an event published afterwards never reaches the dropped socket)
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                if (!stream.ended.isDone()) {
                    try {
                        stream.socket.sendPing(java.nio.ByteBuffer.allocate(1));
                    } catch (RuntimeException e) {
                        return true;
                    }
                }
                return stream.ended.isDone();
            });
        } catch (org.awaitility.core.ConditionTimeoutException unseen) {
            int before = stream.positions().size();
            bus.log(id, 1, 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> one.get("/v1/runs/" + id).statusCode() == 200
                    && count("SELECT count(*) FROM run_events WHERE execution_id = '" + id + "' AND seq = 2") == 1);
            Thread.sleep(2000);
            assertEquals(before, stream.positions().size(), "the socket that sent too much gets nothing more");
            return;
        }
        if (stream.ended.isDone() && !stream.ended.isCompletedExceptionally()) {
            int code = stream.ended.get();
            assertTrue(code == 1009 || code == 1006, "closed for a message too big: " + code);
        }
    }

    static String status(String id) throws Exception {
        return Json.MAPPER.readTree(one.get("/v1/runs/" + id).body()).path("status").asText();
    }

    static long terminals(String id) throws Exception {
        return count("SELECT count(*) FROM run_events WHERE execution_id = '" + id
                + "' AND body->'event'->>'type' IN ('completed', 'failed', 'canceled')");
    }

    static long count(String sql) throws Exception {
        try (var c = DriverManager.getConnection(pg.jdbcUrl(), "hangar", "hangar"); var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
