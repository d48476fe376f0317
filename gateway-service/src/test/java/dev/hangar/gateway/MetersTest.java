package dev.hangar.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.Platform;
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
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway's meters move on /q/metrics when events arrive and sockets open. */
@QuarkusTest
class MetersTest {
    /** Unique per test run, so each series starts at zero. */
    static final String SUFFIX = Long.toString(System.nanoTime(), 36);

    @TestHTTPResource("/")
    URI base;

    KafkaProducer<String, String> producer;

    @BeforeEach
    void open() {
        producer = TestStack.producer();
    }

    @AfterEach
    void close() {
        producer.close();
    }

    static String runs(String status, String processor) {
        return "hangar_runs_total{processor=\"" + processor + "\",status=\"" + status + "\"}";
    }

    static String terminal(String id, String processor) {
        var meta = new Envelope.Meta(processor, Adapter.LOCAL, Mode.MOCK, Platform.AMD64, 1, null, null, 3400L, 1200L, null, null);
        return Json.write(RunEvent.of(id, 1, 1, null, RunEvent.terminal(Envelope.success(id, List.of(), "/artifacts/outputs/x/" + id + "/outputs.json", meta))));
    }

    @Test
    void aTerminalEventCountsItsRunOnceWithItsQueueTimeAndDuration() throws Exception {
        String processor = "gwtest/metered-" + SUFFIX + "@1";
        String marker = "gwtest/marker-" + SUFFIX + "@1";
        String id = "r-meters" + UUID.randomUUID().toString().replace("-", "");
        String event = terminal(id, processor);

        TestStack.send(producer, Topics.RUNS_EVENTS, id, event);
        TestStack.send(producer, Topics.RUNS_EVENTS, id, event); // a redelivery: stored once, counted once
        // same key, same partition: once the marker run is counted, both copies above were applied
        TestStack.send(producer, Topics.RUNS_EVENTS, id, terminal("r-marker" + UUID.randomUUID().toString().replace("-", ""), marker));

        await().atMost(Duration.ofSeconds(20)).until(() -> Scrape.value(runs("success", marker)) == 1);
        String text = Scrape.metrics();
        assertEquals(1, Scrape.value(text, runs("success", processor)), "counted once despite the duplicate");
        assertEquals(1, Scrape.value(text, "hangar_run_queue_seconds_count{processor=\"" + processor + "\"}"));
        assertEquals(1.2, Scrape.value(text, "hangar_run_queue_seconds_sum{processor=\"" + processor + "\"}"), 1e-9);
        assertEquals(0, Scrape.value(text, "hangar_run_queue_seconds_bucket{processor=\"" + processor + "\",le=\"1.0\"}"));
        assertEquals(1, Scrape.value(text, "hangar_run_queue_seconds_bucket{processor=\"" + processor + "\",le=\"2.5\"}"));
        assertEquals(3.4, Scrape.value(text, "hangar_run_duration_seconds_sum{processor=\"" + processor + "\"}"), 1e-9);
    }

    @Test
    void anUnreadableEventCountsAsADeadLetter() throws Exception {
        String series = "hangar_dlq_records_total{channel=\"run-events\"}";
        double before = Scrape.value(series);

        TestStack.send(producer, Topics.RUNS_EVENTS, "r-poison-" + SUFFIX, "this is { not json");

        await().atMost(Duration.ofSeconds(20)).until(() -> Scrape.value(series) >= before + 1);
    }

    @Test
    void kafkaConsumerLagIsExported() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertTrue(Scrape.metrics().contains("kafka_consumer_fetch_manager_records_lag"), "lag of the run-events consumer"));
    }

    @Test
    void openAllRunsSocketsAreAGauge() throws Exception {
        String all = "hangar_stream_subscribers{socket=\"all\"}";
        double before = Scrape.value(all);
        URI uri = URI.create(base.toString().replaceFirst("^http", "ws") + "v1/runs/stream");
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() { })
                .get(10, TimeUnit.SECONDS);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> Scrape.value(all) == before + 1);
        } finally {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> Scrape.value(all) == before);
    }
}
