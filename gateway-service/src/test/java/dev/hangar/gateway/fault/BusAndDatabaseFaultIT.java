package dev.hangar.gateway.fault;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Topics;
import dev.hangar.kit.testing.PrivateKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway as a real process against a Kafka broker and a PostgreSQL cluster of the test's
 * own, which the test kills and restarts: nothing accepted is lost, nothing refused is half-made.
 */
class BusAndDatabaseFaultIT {
    static Path dir;
    static PrivatePostgres pg;
    static PrivateKafka kafka;
    static GatewayProcess gateway;

    @BeforeAll
    static void start() throws Exception {
        Registry.registerEcho();
        dir = Files.createTempDirectory("hangar-fault-");
        pg = new PrivatePostgres(dir);
        kafka = PrivateKafka.started(dir.resolve("kafka"), List.of(Topics.RUNS_REQUESTED, Topics.RUNS_EVENTS, Topics.RUNS_CONTROL,
                Topics.RUNS_EVENTS_DLQ));
        gateway = new GatewayProcess("fault-a", kafka.bootstrap(), pg.jdbcUrl(),
                Map.of("hangar.gateway.outbox.publish-wait", "1s", "hangar.gateway.outbox.interval", "300ms"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {gateway, kafka, pg}) {
            if (c != null) {
                c.close();
            }
        }
        if (dir != null) {
            Processes.run(java.util.List.of("rm", "-rf", dir.toString())); // the broker's and the cluster's data
        }
    }

    static String body() {
        return "{\"ref\":\"" + Bus.REF + "\",\"inputs\":{\"text\":\"hi\"}}";
    }

    @Test
    void kafkaKilledUnderLoadLosesNoAcceptedRunAndRefusesClearly() throws Exception {
        try (var executor = new FakeExecutor(kafka.bootstrap())) {
            List<String> accepted = new CopyOnWriteArrayList<>();
            List<JsonNode> refused = new CopyOnWriteArrayList<>();
            List<String> other = new CopyOnWriteArrayList<>();
            var load = new AtomicBoolean(true);
            var pool = Executors.newFixedThreadPool(6);
            for (int i = 0; i < 6; i++) {
                pool.submit(() -> {
                    while (load.get()) {
                        try {
                            var answer = gateway.post("/v1/runs", body());
                            if (answer.statusCode() == 202) {
                                accepted.add(Json.MAPPER.readTree(answer.body()).get("execution_id").asText());
                            } else if (answer.statusCode() == 503) {
                                refused.add(Json.MAPPER.readTree(answer.body()));
                                Thread.sleep(50);
                            } else {
                                other.add(answer.statusCode() + " " + answer.body());
                            }
                        } catch (Exception e) {
                            other.add(e.toString());
                        }
                    }
                    return null;
                });
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() >= 30);
            kafka.kill();
            int beforeOutage = accepted.size();
            await().atMost(Duration.ofSeconds(30)).until(() -> refused.size() >= 6);
            kafka.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= beforeOutage + 30);
            load.set(false);
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));

            assertEquals(List.of(), other, "every answer is 202 or 503");
            for (JsonNode problem : refused) {
                assertEquals("ERR_UNAVAILABLE", problem.path("code").asText(), problem.toString());
                String detail = problem.path("detail").asText();
                assertTrue(detail.contains("Kafka") && detail.contains("retry") && !detail.contains("null"), detail);
            }
            // every accepted run ends, exactly once, in the database and on its stream
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> terminalCounts(accepted).values().stream().allMatch(n -> n == 1)
                            && terminalCounts(accepted).size() == accepted.size());
            for (String id : accepted) {
                var stream = Stream.open(gateway.ws("/v1/runs/" + id + "/stream"));
                stream.ended.get(20, TimeUnit.SECONDS);
                assertEquals(List.of("1:1", "1:2", "1:3"), stream.positions(), id);
                assertEquals("success", stream.frames.getLast().path("status").asText(), id);
            }
            assertEquals(0, scalar("SELECT count(*) FROM outbox"), "the outbox drained");
            assertEquals(accepted.size(), Set.copyOf(accepted).size());
            assertEquals(Set.copyOf(accepted), executor.handled.stream().filter(accepted::contains).collect(java.util.stream.Collectors.toSet()));
            assertEquals(accepted.size(), scalar("SELECT count(*) FROM runs WHERE execution_id LIKE 'r-%' AND execution_id NOT LIKE 'r-pgfault%'"),
                    "no run row without a 202 (the refused left nothing behind)");
        }
    }

    @Test
    void postgresRestartedLosesNoEventsEvenIfTheGatewayDiesMeanwhile() throws Exception {
        String id = pg.ownedRun("r-pgfault" + UUID.randomUUID().toString().replace("-", "").substring(0, 16), GatewayProcess.OWNER);
        try (var bus = new Bus(kafka.bootstrap())) {
            bus.started(id, 1);
            bus.log(id, 1, 2);
            await().atMost(Duration.ofSeconds(20)).until(() -> gateway.get("/v1/runs/" + id).statusCode() == 200);
            var live = Stream.open(gateway.ws("/v1/runs/" + id + "/stream"));
            await().atMost(Duration.ofSeconds(10)).until(() -> live.positions().size() == 2);

            pg.stop(); // events now reach a gateway that cannot store them
            for (long seq = 3; seq <= 10; seq++) {
                bus.log(id, 1, seq);
            }
            Thread.sleep(1500); // the consumer has them and retries; nothing may be acknowledged or fanned out unstored
            assertEquals(2, live.positions().size(), "nothing is sent before it is stored");
            pg.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> live.positions().size() == 10);
            assertEquals(positions(1, 10), live.positions(), "applied after the database came back, in order, once");

            pg.stop();
            for (long seq = 11; seq <= 15; seq++) {
                bus.log(id, 1, seq);
            }
            bus.completed(id, 1, 16);
            Thread.sleep(1500);
            gateway.kill(); // with the offsets of events 11..16 not committed
            pg.start();
            gateway.start();
            var replay = Stream.open(gateway.ws("/v1/runs/" + id + "/stream"));
            replay.ended.get(30, TimeUnit.SECONDS);
            assertEquals(positions(1, 16), replay.positions(), "the restarted gateway consumed them again and stored them");
            assertEquals(16, scalar("SELECT count(*) FROM run_events WHERE execution_id = '" + id + "'"));
            assertEquals("success", Json.MAPPER.readTree(gateway.get("/v1/runs/" + id).body()).path("status").asText());
        }
    }

    static List<String> positions(long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(s -> "1:" + s).toList();
    }

    static long scalar(String sql) throws Exception {
        try (var c = DriverManager.getConnection(pg.jdbcUrl(), "hangar", "hangar"); var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Terminal events stored per run, for the runs that have any. */
    static Map<String, Integer> terminalCounts(List<String> ids) throws Exception {
        var counts = new ConcurrentHashMap<String, Integer>();
        try (var c = DriverManager.getConnection(pg.jdbcUrl(), "hangar", "hangar");
             var ps = c.prepareStatement("SELECT execution_id, count(*) FROM run_events WHERE execution_id = ANY(?) "
                     + "AND body->'event'->>'type' IN ('completed', 'failed', 'canceled') GROUP BY execution_id")) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return counts;
    }
}
