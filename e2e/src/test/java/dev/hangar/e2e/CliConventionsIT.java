package dev.hangar.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hangar.contracts.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI conventions (docs/cli-conventions.md) through {@code bin/hangar} as a process against
 * the running gateway: a POST retried after a lost answer creates one run, and every kind of
 * failure exits 1 with a last line that says what to do. The runs are submitted by an owner of
 * this test's own, so counting that owner's runs counts exactly what this test made.
 */
class CliConventionsIT {
    static final String INPUTS = EchoRunIT.INPUTS;
    static final String OWNER = "cliconv-" + Long.toString(System.nanoTime(), 36);
    static String token;
    static String tokenId;

    @BeforeAll
    static void ownerOfItsOwn() throws Exception {
        var created = Stack.HTTP.send(Stack.request("/v1/tokens").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"cli conventions\",\"scopes\":[\"read\",\"run\"],\"owner\":\""
                        + OWNER + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        JsonNode body = Json.MAPPER.readTree(created.body());
        token = body.get("token").asText();
        tokenId = body.get("id").asText();
    }

    @AfterAll
    static void revoke() throws Exception {
        if (tokenId != null) {
            Stack.HTTP.send(Stack.request("/v1/tokens/" + tokenId).DELETE().build(), HttpResponse.BodyHandlers.discarding());
        }
    }

    static String lastLine(String text) {
        return text.strip().lines().toList().getLast();
    }

    /** The owner's runs, as the gateway lists them. */
    static List<JsonNode> runsOfOwner() throws Exception {
        var answer = Stack.HTTP.send(HttpRequest.newBuilder(URI.create(Stack.GATEWAY + "/v1/runs?limit=1000"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        var runs = new ArrayList<JsonNode>();
        Json.MAPPER.readTree(answer.body()).forEach(runs::add);
        return runs;
    }

    /**
     * A loopback proxy in front of the gateway that passes every request on, but answers the first
     * POST /v1/runs with 503 after the gateway took it: the answer is lost, the run exists.
     */
    static final class LosingProxy implements AutoCloseable {
        final HttpServer server;
        final List<String> postBodies = new CopyOnWriteArrayList<>();
        final List<String> postKeys = new CopyOnWriteArrayList<>();
        final AtomicReference<String> swallowed = new AtomicReference<>();

        LosingProxy() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", this::forward);
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        private void forward(HttpExchange exchange) throws IOException {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().toString();
            var request = HttpRequest.newBuilder(URI.create(Stack.GATEWAY + path))
                    .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            for (String h : List.of("Authorization", "Content-Type", "Accept", "Idempotency-Key")) {
                String v = exchange.getRequestHeaders().getFirst(h);
                if (v != null) {
                    request.header(h, v);
                }
            }
            HttpResponse<byte[]> answer;
            try {
                answer = Stack.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            boolean submission = "POST".equals(method) && path.equals("/v1/runs");
            if (submission) {
                postBodies.add(new String(body, StandardCharsets.UTF_8));
                postKeys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
            }
            if (submission && swallowed.compareAndSet(null, new String(answer.body(), StandardCharsets.UTF_8))) {
                reply(exchange, 503, Map.of("Content-Type", "application/problem+json"),
                        "{\"status\":503,\"code\":\"ERR_UNAVAILABLE\",\"title\":\"lost\",\"detail\":\"the proxy lost the answer\"}"
                                .getBytes(StandardCharsets.UTF_8));
                return;
            }
            var headers = new java.util.HashMap<String, String>();
            answer.headers().firstValue("Content-Type").ifPresent(v -> headers.put("Content-Type", v));
            answer.headers().firstValue("Location").ifPresent(v -> headers.put("Location", v));
            reply(exchange, answer.statusCode(), headers, answer.body());
        }

        private static void reply(HttpExchange exchange, int status, Map<String, String> headers, byte[] body) throws IOException {
            headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void aRunRetriedAfterA503CreatesExactlyOneRun() throws Exception {
        assertEquals(List.of(), runsOfOwner(), "a fresh owner has no runs");
        try (var proxy = new LosingProxy()) {
            var run = Stack.hangar("--base-url", proxy.url(), "--api-key", token, "run", "--ref", "examples/echo@1",
                    "--inputs-json", INPUTS, "--json");
            assertEquals(0, run.exit(), run.err());
            String id = run.json().path("execution_id").asText();
            assertEquals("success", run.json().path("status").asText(), run.out());
            assertEquals(2, proxy.postBodies.size(), "sent once, retried once after the 503");
            String key = proxy.postKeys.getFirst();
            assertTrue(key != null && key.startsWith("hangar-"), proxy.postKeys::toString);
            for (int i = 0; i < 2; i++) {
                assertEquals(key, proxy.postKeys.get(i), "the same key on the retry");
                assertEquals(key, Json.MAPPER.readTree(proxy.postBodies.get(i)).path("idempotency_key").asText());
            }
            assertEquals(id, Json.MAPPER.readTree(proxy.swallowed.get()).path("execution_id").asText(),
                    "the run the lost answer named is the one the CLI followed");
            var runs = runsOfOwner();
            assertEquals(1, runs.size(), runs::toString);
            assertEquals(id, runs.getFirst().path("execution_id").asText());
        }
    }

    @Test
    void anUnreachableGatewayExitsOneAndSaysConsiderRetrying() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        var r = Stack.hangar("runs", "list", "--base-url", "http://127.0.0.1:" + port);
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("connection refused"), r.err());
        assertTrue(lastLine(r.err()).endsWith("consider retrying"), r.err());
    }

    @Test
    void aWrongKeyExitsOneAndSaysToCheckItOrLogIn() throws Exception {
        for (String[] argv : List.of(new String[] {"--api-key", "wrong", "runs", "list"}, new String[] {"runs", "list", "--token", "wrong"})) {
            var r = Stack.hangar(argv);
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().startsWith("error: ERR_UNAUTHORIZED"), r.err());
            assertTrue(r.err().contains("the gateway refused the API key from --api-key: check the key, or run `hangar login`"), r.err());
            assertTrue(lastLine(r.err()).endsWith("check your inputs"), r.err());
        }
    }

    @Test
    void theKeyFromTheEnvironmentIsUsedAndNamedWhenRefused() throws Exception {
        var ok = hangarWithEnv(Map.of("HANGAR_API_KEY", token), "runs", "list", "--json");
        assertEquals(0, ok.exit(), ok.err());
        var refused = hangarWithEnv(Map.of("HANGAR_API_KEY", "wrong"), "runs", "list");
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("the API key from $HANGAR_API_KEY"), refused.err());
        var flagWins = hangarWithEnv(Map.of("HANGAR_API_KEY", "wrong"), "--api-key", token, "runs", "list", "--json");
        assertEquals(0, flagWins.exit(), flagWins.err());
    }

    @Test
    void anotherOwnersRunIsNotFound() throws Exception {
        var mine = Stack.hangar("run", "--ref", "examples/echo@1", "--inputs-json", INPUTS, "--json");
        assertEquals(0, mine.exit(), mine.err());
        String id = mine.json().path("execution_id").asText();
        var theirs = Stack.hangar("--api-key", token, "runs", "get", id, "--json");
        assertEquals(1, theirs.exit(), theirs.err());
        assertEquals("ERR_RUN_NOT_FOUND", theirs.json().path("error").path("code").asText(), theirs.out());
        assertTrue(lastLine(theirs.err()).endsWith("check your inputs"), theirs.err());
        var cancel = Stack.hangar("--api-key", token, "runs", "cancel", id);
        assertEquals(1, cancel.exit());
        assertTrue(cancel.err().startsWith("error: ERR_RUN_NOT_FOUND"), cancel.err());
    }

    @Test
    void badFlagsMissingFlagsAndUnreadableFilesExitOneAndSayCheckYourInputs(@TempDir Path dir) throws Exception {
        Path unreadable = Files.writeString(dir.resolve("secret.txt"), "x");
        unreadable.toFile().setReadable(false, false);
        boolean root = Files.isReadable(unreadable); // root reads anything: then only the missing file is tried
        var cases = new ArrayList<List<String>>(List.of(
                List.of("--timeout", "soon", "runs", "list"),
                List.of("runs", "list", "--timeout", "0"),
                List.of("runs", "list", "--base-url", "ftp://127.0.0.1:1"),
                List.of("runs", "list", "--limit", "many"),
                List.of("plans", "set", "team-a"),
                List.of("runs", "get"),
                List.of("run", "--ref", "examples/echo@1", "--inputs-file", dir.resolve("missing.json").toString()),
                List.of("run", "--ref", "examples/echo@1", "--attach", "doc=" + dir.resolve("missing.pdf")),
                List.of("secrets", "set", "CLICONV_X", "--from-file", dir.resolve("missing.txt").toString()),
                // a folder where a file is wanted cannot be read, even by root
                List.of("run", "--ref", "examples/echo@1", "--inputs-file", dir.toString()),
                List.of("run", "--ref", "examples/echo@1", "--attach", "doc=" + dir),
                List.of("secrets", "set", "CLICONV_X", "--from-file", dir.toString())));
        if (!root) {
            cases.add(List.of("secrets", "set", "CLICONV_X", "--from-file", unreadable.toString()));
        }
        for (var argv : cases) {
            var r = Stack.hangar(argv.toArray(String[]::new));
            assertEquals(1, r.exit(), argv + "\n" + r.err());
            assertTrue(r.err().startsWith("error: ERR_"), argv + "\n" + r.err());
            assertTrue(lastLine(r.err()).endsWith("check your inputs"), argv + "\n" + r.err());
        }
    }

    @Test
    void versionJsonNeedsNoGateway() throws Exception {
        var r = hangarWithEnv(Map.of("HANGAR_BASE_URL", "http://127.0.0.1:1"), "version", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode v = r.json();
        assertTrue(v.path("version").asText().matches("\\d+\\.\\d+\\.\\d+.*"), r.out());
        assertTrue(v.path("commit").asText().matches("[0-9a-f]{7}"), "built from this git checkout: " + r.out());
    }

    static Stack.Result hangarWithEnv(Map<String, String> env, String... args) throws Exception {
        var command = new ArrayList<String>();
        command.add(Stack.ROOT.resolve("bin/hangar").toString());
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).directory(Stack.ROOT.toFile());
        builder.environment().putAll(env);
        var process = builder.start();
        process.getOutputStream().close();
        var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(5, TimeUnit.MINUTES));
        var err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Stack.Result(process.exitValue(), out, err);
    }
}
