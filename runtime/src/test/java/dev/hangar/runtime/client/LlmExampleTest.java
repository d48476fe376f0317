package dev.hangar.runtime.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.ProcessorSpec;
import dev.hangar.contracts.SpecValidator;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/processors/llm on the host runtime: deterministic tokens in mock mode, and in real mode
 * an OpenAI-compatible streaming client checked against {@link FakeOpenAiServer}.
 */
class LlmExampleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path LLM = RuntimeProcess.EXAMPLES.resolve("llm");
    static final String KEY = "sk-hangar-test-4f9c1e7d2b";
    static final String MESSAGES = """
            [{"role":"system","content":"be brief"},{"role":"user","content":"Say hello to the hangar"}]""";

    @TempDir
    static Path dir;
    static FakeOpenAiServer openAi;
    static RuntimeProcess mock;
    static RuntimeProcess real;

    @BeforeAll
    static void start() throws Exception {
        openAi = FakeOpenAiServer.start(KEY);
        // Mock mode gets working secrets too, to show it ignores them rather than lacks them.
        mock = runtime("mock", env("mock", openAi.baseUrl(), KEY));
        real = runtime("real", env("real", openAi.baseUrl(), KEY));
        mock.awaitReady();
        real.awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {mock, real, openAi}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @BeforeEach
    void resetFake() {
        openAi.acceptKey(KEY);
        openAi.reply(List.of("Hello", " from", " the", " fake", "."), "stop");
        openAi.clearRequests();
    }

    static Map<String, String> env(String mode, String baseUrl, String key) {
        var env = new HashMap<String, String>();
        env.put("HANGAR_MODE", mode);
        env.put("OPENAI_BASE_URL", baseUrl);
        env.put("OPENAI_API_KEY", key);
        env.put("NO_PROXY", "127.0.0.1,localhost"); // whatever the host's proxy settings, stay on loopback
        env.put("no_proxy", "127.0.0.1,localhost");
        return env;
    }

    static RuntimeProcess runtime(String name, Map<String, String> env) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name));
        return RuntimeProcess.startFile(home, LLM.resolve("predict.py"), env);
    }

    record Run(Prediction prediction, List<String> tokens, List<StreamEvent> events, byte[] outputJson) {}

    static Run run(RuntimeProcess runtime, String input) throws Exception {
        List<StreamEvent> events = new ArrayList<>();
        Prediction prediction = runtime.client.predict(null, JSON.readTree(input), events::add);
        List<String> tokens = events.stream().filter(e -> e.type().equals("token"))
                .map(e -> e.data().path("text").asText()).toList();
        Path output = runtime.outputs.resolve("output.json");
        return new Run(prediction, tokens, events, prediction.succeeded() ? Files.readAllBytes(output) : null);
    }

    static String content(Run run) {
        return run.prediction().output().path("choices").path(0).path("message").path("content").asText();
    }

    // --- mock mode -----------------------------------------------------------------------------

    @Test
    void mockGivesTheSameTokensAndBytesForTheSameMessagesWithoutTouchingTheNetwork() throws Exception {
        String input = "{\"messages\":" + MESSAGES + "}";
        Run first = run(mock, input);
        Run second = run(mock, input);

        assertTrue(first.prediction().succeeded(), first.prediction().raw().toString());
        assertArrayEquals(first.outputJson(), second.outputJson());
        assertEquals(first.tokens(), second.tokens());
        assertEquals(String.join("", first.tokens()), content(first));
        JsonNode output = first.prediction().output();
        assertEquals("mock", output.path("model").asText());
        assertEquals("chat.completion", output.path("object").asText());
        assertEquals("assistant", output.path("choices").path(0).path("message").path("role").asText());
        assertEquals(first.tokens().size(), output.path("usage").path("completion_tokens").asInt());
        assertEquals(JSON.readTree(new String(first.outputJson(), StandardCharsets.UTF_8)), output);
        assertTrue(openAi.requests().isEmpty(), "mock mode never calls the endpoint, even with secrets set");
    }

    @Test
    void mockTextIsPinnedAcrossRuntimesAndPythonVersions() throws Exception {
        // Counter-mode SHA-256 over the canonical messages: these words must never drift.
        Run run = run(mock, "{\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}],\"max_tokens\":5}");

        assertEquals(List.of("Again", " rolls", " lands", " weather", " climbs"), run.tokens());
        assertEquals("{\"choices\":[{\"finish_reason\":\"length\",\"index\":0,\"message\":{\"content\":"
                + "\"Again rolls lands weather climbs\",\"role\":\"assistant\"}}],\"created\":0,"
                + "\"id\":\"chatcmpl-mock-910a1cdfedbcba67619132cd\",\"model\":\"mock\",\"object\":\"chat.completion\","
                + "\"usage\":{\"completion_tokens\":5,\"prompt_tokens\":2,\"total_tokens\":7}}\n",
                new String(run.outputJson(), StandardCharsets.UTF_8));
    }

    @Test
    void mockTextDependsOnTheMessages() throws Exception {
        Run a = run(mock, "{\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}");
        Run b = run(mock, "{\"messages\":[{\"role\":\"user\",\"content\":\"hello there!\"}]}");

        assertNotEquals(content(a), content(b));
        assertNotEquals(a.prediction().output().path("id"), b.prediction().output().path("id"));
    }

    @Test
    void mockStopsAtMaxTokensWithAPrefixOfTheFullReply() throws Exception {
        Run full = run(mock, "{\"messages\":" + MESSAGES + ",\"max_tokens\":4096}");
        Run cut = run(mock, "{\"messages\":" + MESSAGES + ",\"max_tokens\":3}");

        JsonNode fullChoice = full.prediction().output().path("choices").path(0);
        assertEquals("stop", fullChoice.path("finish_reason").asText());
        assertTrue(full.tokens().size() >= 8 && full.tokens().size() <= 48, full.tokens().toString());
        assertTrue(content(full).endsWith("."), content(full));

        assertEquals(3, cut.tokens().size());
        assertEquals("length", cut.prediction().output().path("choices").path(0).path("finish_reason").asText());
        assertEquals(3, cut.prediction().output().path("usage").path("completion_tokens").asInt());
        assertEquals(full.tokens().subList(0, 3), cut.tokens());
    }

    @Test
    void mockRejectsInputsOutsideTheSchemaWithAClearError() throws Exception {
        Run run = run(mock, "{\"messages\":" + MESSAGES + ",\"max_tokens\":0}");

        assertTrue(run.prediction().failed());
        assertEquals("ValueError: max_tokens must be an integer from 1 to 4096, got 0", run.prediction().error());
    }

    // --- real mode -----------------------------------------------------------------------------

    @Test
    void realStreamsTheCompletionFromTheEndpointAsTokens() throws Exception {
        Run run = run(real, "{\"messages\":" + MESSAGES
                + ",\"max_tokens\":32,\"temperature\":0.2,\"top_p\":0.9,\"top_k\":40,\"model\":\"gpt-test\"}");

        assertTrue(run.prediction().succeeded(), run.prediction().raw().toString());
        FakeOpenAiServer.Request request = openAi.requests().getFirst();
        assertEquals(1, openAi.requests().size());
        assertEquals("POST", request.method());
        assertEquals("/v1/chat/completions", request.path());
        assertEquals("Bearer " + KEY, request.headers().get("authorization"));
        assertEquals("application/json", request.headers().get("content-type"));
        assertEquals("text/event-stream", request.headers().get("accept"));
        assertEquals(JSON.readTree("{\"model\":\"gpt-test\",\"messages\":" + MESSAGES + ",\"max_tokens\":32,"
                + "\"temperature\":0.2,\"top_p\":0.9,\"top_k\":40,\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}"), request.body());

        assertEquals(List.of("Hello", " from", " the", " fake", "."), run.tokens());
        assertEquals("{\"choices\":[{\"finish_reason\":\"stop\",\"index\":0,\"message\":{\"content\":"
                + "\"Hello from the fake.\",\"role\":\"assistant\"}}],\"created\":1700000000,"
                + "\"id\":\"chatcmpl-fake0001\",\"model\":\"gpt-test-2024-fake\",\"object\":\"chat.completion\","
                + "\"usage\":{\"completion_tokens\":5,\"prompt_tokens\":7,\"total_tokens\":12}}\n",
                new String(run.outputJson(), StandardCharsets.UTF_8));
        assertEquals(List.of("output.json"), JSON.convertValue(run.prediction().raw().path("output_files"), List.class));
        assertEquals(1.0, run.events().stream().filter(e -> e.type().equals("progress")).reduce((a, b) -> b)
                .orElseThrow().data().path("fraction").asDouble());
        assertEquals("real mode: streaming a chat completion from model gpt-test\n", run.prediction().logs());
        assertNoKeyIn(run, real);
    }

    @Test
    void realSendsTheDefaultsAndNoTopKUnlessAsked() throws Exception {
        Run run = run(real, "{\"messages\":" + MESSAGES + "}");

        assertTrue(run.prediction().succeeded(), run.prediction().raw().toString());
        assertEquals(JSON.readTree("{\"model\":\"gpt-4o-mini\",\"messages\":" + MESSAGES + ",\"max_tokens\":64,"
                + "\"temperature\":0.7,\"top_p\":1.0,\"stream\":true,\"stream_options\":{\"include_usage\":true}}"),
                openAi.requests().getFirst().body());
    }

    @Test
    void aRefusedKeyFailsWithoutRepeatingIt() throws Exception {
        openAi.acceptKey("sk-some-other-key");

        Run run = run(real, "{\"messages\":" + MESSAGES + "}");

        assertTrue(run.prediction().failed(), run.prediction().raw().toString());
        assertEquals("PermissionError: the endpoint refused OPENAI_API_KEY", run.prediction().error());
        assertTrue(run.tokens().isEmpty());
        assertTrue(run.prediction().raw().path("output_files").isEmpty(), "a failed run writes no output");
        assertNoKeyIn(run, real);
    }

    @Test
    void anotherHttpErrorFailsWithTheStatusAndTheServersMessage() throws Exception {
        openAi.fail(503, "The engine is currently overloaded, please try again later.");

        Run run = run(real, "{\"messages\":" + MESSAGES + "}");

        assertTrue(run.prediction().failed());
        assertEquals("RuntimeError: the chat completions endpoint " + openAi.baseUrl() + " answered HTTP 503: "
                + "The engine is currently overloaded, please try again later.", run.prediction().error());
        assertNoKeyIn(run, real);
    }

    @Test
    void anEndpointThatIsNotListeningIsNamedButTheKeyIsNot(@TempDir Path home) throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String base = "http://127.0.0.1:" + closedPort + "/v1";
        try (RuntimeProcess refused = RuntimeProcess.startFile(home, LLM.resolve("predict.py"), env("real", base, KEY))) {
            refused.awaitReady();
            Run run = run(refused, "{\"messages\":" + MESSAGES + "}");

            assertTrue(run.prediction().failed());
            assertEquals("RuntimeError: cannot reach the chat completions endpoint at " + base + ": Connection refused",
                    run.prediction().error());
            assertNoKeyIn(run, refused);
        }
    }

    @Test
    void realModeWithoutTheSecretsSaysWhichAreMissing(@TempDir Path home) throws Exception {
        // Empty values, so secrets in the environment of whoever runs the build cannot leak in.
        try (RuntimeProcess bare = RuntimeProcess.startFile(home, LLM.resolve("predict.py"), env("real", "", ""))) {
            bare.awaitReady();
            Run run = run(bare, "{\"messages\":" + MESSAGES + "}");

            assertTrue(run.prediction().failed());
            assertEquals("RuntimeError: real mode needs the OPENAI_API_KEY and OPENAI_BASE_URL secrets "
                    + "(missing: OPENAI_API_KEY, OPENAI_BASE_URL)", run.prediction().error());
        }
        assertTrue(openAi.requests().isEmpty());
    }

    private static void assertNoKeyIn(Run run, RuntimeProcess runtime) {
        assertFalse(run.prediction().raw().toString().contains(KEY), "the prediction never shows the key");
        assertFalse(run.events().toString().contains(KEY), "no event shows the key");
        assertFalse(runtime.log().contains(KEY), "the container log never shows the key");
        assertFalse(run.prediction().raw().toString().contains("Bearer"), "nor the Authorization header");
    }

    // --- the spec ------------------------------------------------------------------------------

    @Test
    void hangarYamlIsAValidSpecWhoseSchemaIsTheRuntimes() throws Exception {
        ProcessorSpec spec = Json.YAML.readValue(LLM.resolve("hangar.yaml").toFile(), ProcessorSpec.class);
        SpecValidator.requireValidSpec(spec);

        assertEquals("examples/llm@1", spec.ref().toString());
        assertEquals("127.0.0.1:5000/examples/llm", spec.image());
        assertEquals(new ProcessorSpec.Resources(0.5, 256, 0, 300), spec.runtime());
        assertEquals(List.of("OPENAI_API_KEY", "OPENAI_BASE_URL"), spec.secrets());
        assertTrue(spec.digests().isEmpty(), "digests are pinned by hangar push, not written by hand");
        assertEquals(List.of(new ProcessorSpec.OutputDecl("output.json", "application/json",
                spec.outputs().getFirst().description())), spec.outputs());
        assertEquals(spec.inputsSchema(), mock.client.openapi().path("components").path("schemas").path("Input"),
                "hangar.yaml and predict.py declare the same input schema");

        for (String good : List.of("{\"messages\":" + MESSAGES + "}",
                "{\"messages\":" + MESSAGES + ",\"max_tokens\":4096,\"temperature\":2,\"top_p\":1,\"top_k\":0,\"model\":\"m\"}")) {
            assertTrue(SpecValidator.inputErrors(spec.inputsSchema(), JSON.readTree(good)).isEmpty(), "accepts " + good);
        }
        for (String bad : List.of("{}", "{\"messages\":[]}",
                "{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}",
                "{\"messages\":" + MESSAGES + ",\"max_tokens\":0}",
                "{\"messages\":" + MESSAGES + ",\"max_tokens\":4097}",
                "{\"messages\":" + MESSAGES + ",\"temperature\":2.5}",
                "{\"messages\":" + MESSAGES + ",\"top_p\":0}",
                "{\"messages\":" + MESSAGES + ",\"top_k\":-1}",
                "{\"messages\":" + MESSAGES + ",\"model\":\"\"}",
                "{\"messages\":" + MESSAGES + ",\"stream\":false}")) {
            assertFalse(SpecValidator.inputErrors(spec.inputsSchema(), JSON.readTree(bad)).isEmpty(), "rejects " + bad);
        }
    }
}
