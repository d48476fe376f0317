package dev.hangar.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.ArtifactPath;
import dev.hangar.contracts.Json;
import dev.hangar.runtime.client.FakeOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example processors that do real work offline: textstats on an attached file, llm in mock
 * mode, and llm in real mode against a faithful fake of the OpenAI streaming protocol (the one
 * third-party service that cannot be reached from here).
 */
class ExamplesIT {
    static final String CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}],\"max_tokens\":8}";

    @BeforeAll
    static void push() throws Exception {
        for (String p : List.of("textstats", "llm")) {
            var push = Stack.hangar("push", "--override", "examples/processors/" + p);
            assertEquals(0, push.exit(), push.err());
        }
    }

    @Test
    void textstatsReadsAnAttachedFile(@TempDir Path dir) throws Exception {
        Path doc = Files.writeString(dir.resolve("notes.txt"), "One two three. Two three! Three?\n");
        var attached = Stack.hangar("run", "--ref", "examples/textstats@1", "--attach", "doc=" + doc,
                "--inputs-json", "{\"document\":{\"$attach\":\"doc\"},\"top\":2}", "--json", "--save-dir", dir.resolve("out").toString());
        assertEquals(0, attached.exit(), attached.err());
        JsonNode stats = Json.MAPPER.readTree(dir.resolve("out/stats.json").toFile());
        assertEquals(6, stats.path("words").asInt(), stats.toString());
        assertEquals(3, stats.path("sentences").asInt(), stats.toString());
        assertEquals("three", stats.path("top_words").get(0).path("word").asText(), stats.toString());

        var typed = Stack.hangar("run", "--ref", "examples/textstats@1", "-i", "document=@" + doc, "-i", "top=2", "--json");
        assertEquals(0, typed.exit(), typed.err());
        assertEquals(cids(attached.json()), cids(typed.json()), "-i key=@file attaches the same bytes: same outputs");
    }

    static List<String> cids(JsonNode envelope) {
        var cids = new java.util.ArrayList<String>();
        envelope.path("outputs").forEach(o -> cids.add(o.path("cid").asText()));
        return cids;
    }

    @Test
    void attachingAMissingFileIsRefusedBeforeAnythingStarts() throws Exception {
        var run = Stack.hangar("run", "--ref", "examples/textstats@1", "--attach", "doc=/no/such/file.txt",
                "--inputs-json", "{\"document\":{\"$attach\":\"doc\"}}", "--json");
        assertEquals(1, run.exit());
        assertEquals("ERR_ATTACHMENT_INVALID", run.json().path("error").path("code").asText(), run.out());
    }

    @Test
    void llmMockStreamsDeterministicTokensWithoutNetwork() throws Exception {
        var first = Stack.hangar("run", "--ref", "examples/llm@1", "--inputs-json", CHAT, "--json");
        var second = Stack.hangar("run", "--ref", "examples/llm@1", "--inputs-json", CHAT, "--json");
        assertEquals(0, first.exit(), first.err());
        assertEquals(cids(first.json()), cids(second.json()));
        assertEquals(tokens(first), tokens(second));
        assertTrue(tokens(first).size() >= 1);
    }

    static List<String> tokens(Stack.Result run) throws Exception {
        return run.ndjson().stream().filter(e -> e.path("event").path("type").asText().equals("token"))
                .map(e -> e.path("event").path("text").asText()).toList();
    }

    @Test
    void llmRealModeNeedsItsSecretsThenCallsTheEndpoint(@TempDir Path dir) throws Exception {
        String key = "sk-e2e-" + UUID.randomUUID();
        for (String name : List.of("OPENAI_API_KEY", "OPENAI_BASE_URL")) {
            Stack.hangar("secrets", "rm", name); // absent or not: start from none
        }
        var refused = Stack.hangar("run", "--ref", "examples/llm@1", "--mode", "real", "--inputs-json", CHAT, "--json");
        assertEquals(1, refused.exit());
        assertEquals("ERR_MISSING_SECRET", refused.json().path("error").path("code").asText());
        assertTrue(refused.err().contains("OPENAI_API_KEY") && refused.err().contains("OPENAI_BASE_URL"), refused.err());

        try (var openai = FakeOpenAiServer.start(key)) {
            openai.reply(List.of("Hello", " from", " the", " endpoint"), "stop");
            assertEquals(0, Stack.hangarWithInput(key, "secrets", "set", "OPENAI_API_KEY").exit());
            assertEquals(0, Stack.hangarWithInput(openai.baseUrl(), "secrets", "set", "OPENAI_BASE_URL").exit());
            String ref = pushAllowedTo(openai.baseUrl(), dir);
            var run = Stack.hangar("run", "--ref", ref, "--mode", "real", "--inputs-json", CHAT, "--json");
            assertEquals(0, run.exit(), run.err());
            assertEquals(List.of("Hello", " from", " the", " endpoint"), tokens(run), "tokens stream as they arrive");
            assertEquals("Bearer " + key, openai.requests().get(0).headers().get("authorization"));
            assertFalse(run.out().contains(key) || run.err().contains(key), "the key never appears in the envelope or events");
            try (var s3 = Stack.s3()) {
                String path = run.json().path("outputs").get(0).path("path").asText();
                String stored = s3.getObjectAsBytes(b -> b.bucket(Stack.BUCKET).key(ArtifactPath.toKey(path))).asUtf8String();
                assertTrue(stored.contains("Hello from the endpoint"), stored);
                assertFalse(stored.contains(key));
            }
        } finally {
            Stack.hangar("secrets", "rm", "OPENAI_API_KEY");
            Stack.hangar("secrets", "rm", "OPENAI_BASE_URL");
        }
    }

    /**
     * The llm example as its own version whose spec allows egress to exactly the fake server: a
     * real-mode container has no network, and reaches only its network.allow through the proxy.
     */
    static String pushAllowedTo(String baseUrl, Path dir) throws Exception {
        var url = java.net.URI.create(baseUrl);
        Path copy = Files.createDirectories(dir.resolve("llm-egress"));
        Path source = Stack.ROOT.resolve("examples/processors/llm");
        for (String file : List.of("Dockerfile", "predict.py")) {
            Files.copy(source.resolve(file), copy.resolve(file));
        }
        String ref = "e2e/llm-egress@1"; // the fake server's port changes each time: pushed with --override
        String spec = Files.readString(source.resolve("hangar.yaml"))
                .replace("ref: examples/llm@1", "ref: " + ref)
                .replace("image: 127.0.0.1:5000/examples/llm", "image: 127.0.0.1:5000/e2e/llm-egress")
                + "network:\n  allow: [\"" + url.getHost() + ":" + url.getPort() + "\"]\n";
        Files.writeString(copy.resolve("hangar.yaml"), spec);
        var push = Stack.hangar("push", "--override", copy.toString());
        assertEquals(0, push.exit(), push.err());
        return ref;
    }
}
