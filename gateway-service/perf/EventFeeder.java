import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.Envelope;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.Platform;
import dev.hangar.contracts.ProcessorRef;
import dev.hangar.contracts.RunEvent;
import java.sql.DriverManager;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Loads a gateway's event-ingest path (RunEventConsumer, RunStore, StreamHub) the way executors
 * do: RUNS runs of EVENTS events each (started, logs, completed), keyed by execution id, onto a
 * topic of the caller's choosing; then waits until the gateway's database holds them all and
 * prints events/s. Run with the gateway's own jars:
 *
 * <pre>java -cp 'gateway-service/target/quarkus-app/lib/main/*' gateway-service/perf/EventFeeder.java \
 *     TOPIC RUNS EVENTS JDBC_URL</pre>
 *
 * KAFKA_PASSWORD and HANGAR_DB_PASSWORD come from the environment (bin/test's exports).
 */
public class EventFeeder {
    public static void main(String[] args) throws Exception {
        String topic = args[0];
        int runs = Integer.parseInt(args[1]);
        int perRun = Integer.parseInt(args[2]);
        String jdbc = args[3];
        String prefix = "r-feed" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        var props = new Properties();
        props.put("bootstrap.servers", System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"));
        props.put("security.protocol", "SASL_PLAINTEXT");
        props.put("sasl.mechanism", "SCRAM-SHA-512");
        props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"hangar\" "
                + "password=\"" + System.getenv("KAFKA_PASSWORD") + "\";");
        props.put("acks", "all");
        props.put("linger.ms", "5");
        props.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
        props.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
        var ref = ProcessorRef.parse("perf/feed@1");
        long t0 = System.nanoTime();
        try (var producer = new KafkaProducer<String, String>(props)) {
            for (int r = 0; r < runs; r++) {
                String id = prefix + String.format("%06d", r);
                producer.send(new ProducerRecord<>(topic, id, Json.write(RunEvent.of(id, 1, 1, null,
                        new RunEvent.Started(ref, Adapter.LOCAL, Mode.MOCK, "sha256:" + "a".repeat(64), "feeder")))));
                for (int s = 2; s < perRun; s++) {
                    producer.send(new ProducerRecord<>(topic, id, Json.write(RunEvent.of(id, 1, s, null,
                            new RunEvent.Log("stdout", "line " + s + " of the feeder's run")))));
                }
                var meta = new Envelope.Meta(ref.toString(), Adapter.LOCAL, Mode.MOCK, Platform.AMD64, 1, "sha256:" + "a".repeat(64),
                        null, 5L, 1L, null, null);
                producer.send(new ProducerRecord<>(topic, id, Json.write(RunEvent.of(id, 1, perRun, null,
                        RunEvent.terminal(Envelope.success(id, List.of(), "/artifacts/feed/" + id + "/outputs.json", meta))))));
            }
            producer.flush();
        }
        long sent = System.nanoTime();
        long expected = (long) runs * perRun;
        try (var c = DriverManager.getConnection(jdbc, "hangar", System.getenv("HANGAR_DB_PASSWORD"));
             var ps = c.prepareStatement("SELECT count(*) FROM run_events WHERE execution_id LIKE ?")) {
            ps.setString(1, prefix + "%");
            long stored = 0;
            while (stored < expected) {
                Thread.sleep(200);
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    stored = rs.getLong(1);
                }
            }
        }
        long done = System.nanoTime();
        System.out.printf("%d events (%d runs) produced in %d ms, all stored after %d ms: %.0f events/s, %.0f runs/s%n",
                expected, runs, (sent - t0) / 1_000_000, (done - t0) / 1_000_000, expected * 1e9 / (done - t0),
                runs * 1e9 / (done - t0));
    }
}
