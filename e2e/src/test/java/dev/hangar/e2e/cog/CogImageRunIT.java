package dev.hangar.e2e.cog;

import static dev.hangar.e2e.cog.CogLoopIT.hangar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An UNMODIFIED Cog image through the whole platform: the hand-written Cog HTTP server the
 * executor's CogImageIT builds (no Hangar runtime in it, TCP 5000), pushed and pinned with
 * {@code server: cog-http} by {@code hangar push}, then {@code hangar run --ref ns/name@1} with
 * bin/hangar → gateway → Kafka → the stack's executor (forwarder sidecar, network none) → its
 * output in S3, downloaded back through the storage service; the digest that ran is the pin.
 */
class CogImageRunIT {
    static final Path COG_SERVER = CogLoopIT.ROOT.resolve("executor-service/src/test/resources/processors/cog-http");

    @Test
    void aPinnedUnmodifiedCogImageRunsThroughKafkaWithItsOutputsInS3(@TempDir Path tmp) throws Exception {
        String name = "img-" + UUID.randomUUID().toString().substring(0, 8);
        String image = "127.0.0.1:5000/e2e-cogimg/" + name;
        String ref = "e2e-cogimg/" + name + "@1";
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.copy(COG_SERVER.resolve("Dockerfile"), dir.resolve("Dockerfile"));
        Files.copy(COG_SERVER.resolve("server.py"), dir.resolve("server.py"));
        Files.writeString(dir.resolve("hangar.yaml"), """
                ref: %s
                description: An unmodified Cog image (a hand-written Cog HTTP server, no Hangar runtime)
                image: %s
                server: cog-http
                runtime:
                  cpu: 0.5
                  memory_mb: 256
                  gpus: 0
                  timeout_seconds: 60
                secrets: []
                inputs_schema:
                  type: object
                  required: [text]
                  properties:
                    text:
                      type: string
                  additionalProperties: false
                """.formatted(ref, image));
        try {
            var push = hangar(dir, "push", ".");
            assertEquals(0, push.exit(), push.out() + push.err());
            var processor = hangar(tmp, "processors", "get", ref, "--json");
            assertEquals(0, processor.exit(), processor.err());
            JsonNode spec = Json.MAPPER.readTree(processor.out());
            assertEquals("cog-http", spec.path("server").asText(), processor.out());
            String pinned = spec.path("digests").path("amd64").asText();
            assertTrue(pinned.startsWith("sha256:"), processor.out());

            Path saved = Files.createDirectories(tmp.resolve("saved"));
            var run = hangar(tmp, "run", "--ref", ref, "-i", "text=through kafka", "--save-dir", saved.toString(), "--json");
            assertEquals(0, run.exit(), run.out() + run.err());
            JsonNode envelope = Json.MAPPER.readTree(run.out());
            assertEquals("success", envelope.path("status").asText(), run.out());
            assertEquals(pinned, envelope.at("/meta/image_digest").asText().replaceFirst(".*@", ""), "the pin ran: " + run.out());
            JsonNode outputs = envelope.path("outputs");
            assertEquals(1, outputs.size(), run.out());
            String path = outputs.get(0).path("path").asText();
            assertTrue(path.endsWith("/output-0.txt"), "the Cog data: URL output became a file: " + run.out());
            assertTrue(envelope.path("index_path").asText().endsWith("/outputs.json"), run.out());
            // the bytes came back from S3 (through the storage service)
            try (var files = Files.walk(saved)) {
                Path file = files.filter(f -> f.getFileName().toString().equals("output-0.txt")).findFirst()
                        .orElseThrow(() -> new AssertionError("output-0.txt was not downloaded: " + run.err()));
                assertEquals("THROUGH KAFKA", Files.readString(file));
            }

            var bad = hangar(tmp, "run", "--ref", ref, "-i", "colour=red", "--json");
            assertEquals(1, bad.exit(), "the gateway checks the pinned spec's schema\n" + bad.out());
            assertEquals("ERR_INPUT_INVALID", Json.MAPPER.readTree(bad.out()).at("/error/code").asText(), bad.out());
        } finally {
            CogLoopIT.removeImages(image);
        }
    }
}
