package dev.hangar.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hangar's own model processors as a new user meets them, from the README: models/tiny-lm/push.sh
 * pins the sampler, trainer, session and pretraining processors on the running stack; the base
 * model's own training runs through the platform (mock mode: the tiny test-size model on 200
 * fortunes, real computation); `hangar sample` samples the real base model, and the same seed
 * gives the same text.
 */
class ModelProcessorsIT {

    @BeforeAll
    static void pushTheModels() throws Exception {
        var process = new ProcessBuilder(Stack.ROOT.resolve("models/tiny-lm/push.sh").toString(), "--override")
                .directory(Stack.ROOT.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(20, TimeUnit.MINUTES), "push.sh did not finish: " + out);
        assertEquals(0, process.exitValue(), out);
        for (String ref : List.of("hangar/tiny-lm@1", "hangar/tiny-lm-train@1", "hangar/tiny-lm-session@1", "hangar/tiny-lm-pretrain@1")) {
            assertTrue(out.contains("pushed " + ref), ref + " was not pushed: " + out);
        }
    }

    @Test
    void theBaseModelTrainsThroughThePlatformAndItsOutputsLoad(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        var run = Stack.hangar("run", "--ref", "hangar/tiny-lm-pretrain@1", "--mode", "mock", "-i", "steps=3",
                "-i", "seq_len=32", "-i", "batch_size=2", "--save-dir", out.toString(), "--json");
        assertEquals(0, run.exit(), run.err());
        assertEquals("success", run.json().path("status").asText(), run.out());
        List<String> loss = Files.readAllLines(out.resolve("loss.csv"));
        assertEquals(List.of("1", "2", "3"), loss.subList(1, loss.size()).stream().map(l -> l.split(",")[0]).toList(), loss.toString());
        JsonNode summary = Json.MAPPER.readTree(out.resolve("summary.json").toFile());
        assertEquals(3, summary.path("steps").asInt(), summary.toString());
        assertTrue(summary.path("final_val_loss").asDouble() > 0, summary.toString());
        JsonNode config = Json.MAPPER.readTree(out.resolve("model/config.json").toFile());
        assertEquals("hangar/tiny-lm", config.path("name").asText(), config.toString());
        assertTrue(Files.size(out.resolve("model/model.pt")) > 1000 && Files.size(out.resolve("model/tokenizer.model")) > 1000);
        List<String> progress = run.ndjson().stream().filter(e -> e.path("event").path("type").asText().equals("progress"))
                .map(e -> e.path("event").path("message").asText()).toList();
        assertTrue(progress.stream().anyMatch(m -> m.matches("step 3/3 loss \\d+\\.\\d+")), "the loss streams: " + progress);
    }

    @Test
    void sampleWithTheReadmesCommandIsRealAndTheSameSeedGivesTheSameText() throws Exception {
        String[] command = {"sample", "--base-model", "hangar/tiny-lm", "--prompt", "A penny saved", "--max-tokens", "12",
                "--seed", "7", "--num-samples", "2"};
        var first = Stack.hangar(command);
        var second = Stack.hangar(command);
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().contains("Sample 1:") && first.out().contains("Sample 2:"), first.out());
        assertTrue(first.out().contains("stop_reason="), first.out());
        assertEquals(first.out(), second.out(), "the same seed samples the same tokens");
    }
}
