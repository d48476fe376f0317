package dev.hangar.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hangar.contracts.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What the CLI does for a container that has no network, against the real engine and a real
 * HTTP server on 127.0.0.1 playing the web: http(s) URL inputs fetched by the CLI
 * ({@code predict -i doc=http://...}, and in requests to {@code serve}), {@code serve --upload-url}
 * uploads made by the CLI (a redirect to another host refused), and {@code /docs} as Swagger UI
 * whose every asset loads from the CLI. Uses {@link CogProjectDockerTest}'s project image.
 */
class CogServeDockerTest {
    HttpServer web;
    String webBase;
    final Map<String, byte[]> uploaded = new ConcurrentHashMap<>();
    final AtomicReference<String> uploadMode = new AtomicReference<>("store");

    @BeforeAll
    static void buildOnce(@TempDir Path tmp) throws Exception {
        CogProjectDockerTest.buildOnce(tmp);
    }

    @AfterAll
    static void removeImages() {
        CogProjectDockerTest.removeImages();
    }

    @BeforeEach
    void startTheWeb() throws IOException {
        web = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        web.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        web.createContext("/", this::answer);
        web.start();
        webBase = "http://127.0.0.1:" + web.getAddress().getPort();
    }

    @AfterEach
    void stopTheWeb() {
        web.stop(0);
    }

    private void answer(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (ex.getRequestMethod().equals("GET") && path.equals("/doc.txt")) {
            byte[] body = "from the web".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        } else if (ex.getRequestMethod().equals("PUT") && path.startsWith("/bucket/")) {
            if (uploadMode.get().equals("away")) {
                ex.getResponseHeaders().add("Location", "http://10.255.0.1/steal/" + path.substring(8));
                ex.sendResponseHeaders(307, -1);
            } else {
                uploaded.put(path + " " + ex.getRequestHeaders().getFirst("Content-Type"), ex.getRequestBody().readAllBytes());
                ex.sendResponseHeaders(200, -1);
            }
        } else {
            ex.sendResponseHeaders(404, -1);
        }
        ex.close();
    }

    @Test
    void predictFetchesAUrlInputOnTheHostAndABrokenOneStopsBeforeAnyContainer(@TempDir Path cwd) throws Exception {
        var p = CogProjectDockerTest.run(cwd, "predict", CogProjectDockerTest.image, "-i", "text=ab", "-i", "times=2",
                "-i", "doc=" + webBase + "/doc.txt", "-o", cwd.resolve("result.txt").toString());
        assertEquals(0, p.exit(), p.toString());
        assertEquals("abab|from the web", Files.readString(cwd.resolve("result.txt")));

        String since = String.format("%.3f", System.currentTimeMillis() / 1000.0); // docker events take fractions
        var missing = CogProjectDockerTest.run(cwd, "predict", CogProjectDockerTest.image, "-i", "text=ab", "-i", "times=2",
                "-i", "doc=" + webBase + "/gone.txt");
        assertEquals(1, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("error: ERR_INPUT_FETCH_FAILED: input doc: cannot fetch " + webBase
                + "/gone.txt: it answered HTTP 404 (not found)"), missing.err());
        assertEquals(0, containersCreatedSince(since), "refused before any container was created");
    }

    @Test
    void serveShowsSwaggerUiFetchesUrlInputsAndUploadsOutputsFromTheCliSide() throws Exception {
        CommandLine cli = dev.hangar.cli.Main.commandLine();
        var err = new StringWriter();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        ServeCommand serve = (ServeCommand) cli.getSubcommands().get("serve").getCommand();
        AtomicReference<Integer> exit = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> exit.set(cli.execute("serve", CogProjectDockerTest.image, "-p", "0",
                "--upload-url", webBase + "/bucket")));
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (serve.boundPort == 0 && t.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertNotEquals(0, serve.boundPort, err.toString());
            String base = "http://127.0.0.1:" + serve.boundPort;
            HttpClient http = HttpClient.newHttpClient();

            // /docs: Swagger UI, each asset it references answered by the CLI, pointed at /openapi.json
            var docs = get(http, base + "/docs");
            assertEquals(200, docs.statusCode());
            assertTrue(docs.body().contains("<div id=\"swagger-ui\">"), docs.body());
            Set<String> assets = new LinkedHashSet<>();
            Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(docs.body());
            while (m.find()) {
                assets.add(m.group(1));
            }
            assertTrue(assets.containsAll(Set.of("/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css",
                    "/docs/swagger-ui-standalone-preset.js", "/docs/swagger-initializer.js")), assets.toString());
            for (String asset : assets) {
                assertTrue(asset.startsWith("/docs/"), "served from this host: " + asset);
                var a = get(http, base + asset);
                assertEquals(200, a.statusCode(), asset);
                assertTrue(a.body().length() > 0, asset);
            }
            assertTrue(get(http, base + "/docs/swagger-ui-bundle.js").body().contains("SwaggerUIBundle"));
            assertTrue(get(http, base + "/docs/swagger-initializer.js").body().contains("url: \"/openapi.json\""));
            assertEquals("3.0.2", Json.MAPPER.readTree(get(http, base + "/openapi.json").body()).path("openapi").asText("3.0.2"));

            renderedInABrowser(base);

            // a URL input is fetched here, the file output uploaded by the CLI: the output is its URL
            JsonNode done = post(http, base + "/predictions", "{\"input\":{\"text\":\"hi\",\"times\":3,\"doc\":\""
                    + webBase + "/doc.txt\"}}", 200);
            assertEquals("succeeded", done.path("status").asText(), done.toString());
            assertEquals(webBase + "/bucket/out.txt", done.path("output").asText(), done.toString());
            assertEquals("hihihi|from the web", new String(uploaded.get("/bucket/out.txt text/plain"), StandardCharsets.UTF_8),
                    uploaded.keySet().toString());

            // a large body (a 2 MiB data: URL) sent as curl sends it, after "Expect: 100-continue", passes too
            String big = java.util.Base64.getEncoder().encodeToString("x".repeat(2 * 1024 * 1024).getBytes(StandardCharsets.UTF_8));
            var large = http.send(HttpRequest.newBuilder(URI.create(base + "/predictions")).expectContinue(true)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"input\":{\"text\":"
                    + "\"l\",\"times\":1,\"doc\":\"data:text/plain;base64," + big + "\"}}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, large.statusCode(), large.body());
            assertEquals("succeeded", Json.MAPPER.readTree(large.body()).path("status").asText(), large.body());
            assertEquals(2 * 1024 * 1024 + 2, uploaded.entrySet().stream().filter(e -> !e.getKey().startsWith("/bucket/out.txt "))
                    .findFirst().orElseThrow().getValue().length, "l|xxxx... uploaded by the CLI");

            // a broken URL input is refused here, with Cog's 422 shape and the code
            var refused = http.send(HttpRequest.newBuilder(URI.create(base + "/predictions")).header("Content-Type",
                    "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"input\":{\"text\":\"hi\",\"times\":1,"
                    + "\"doc\":\"" + webBase + "/gone.txt\"}}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(422, refused.statusCode(), refused.body());
            JsonNode problem = Json.MAPPER.readTree(refused.body());
            assertEquals("ERR_INPUT_FETCH_FAILED", problem.path("code").asText(), refused.body());
            assertTrue(problem.path("detail").get(0).path("msg").asText().contains("404"), refused.body());

            // the upload server redirects to another machine: not followed, the prediction fails saying so
            uploadMode.set("away");
            uploaded.clear();
            JsonNode away = post(http, base + "/predictions", "{\"input\":{\"text\":\"hi\",\"times\":1,\"doc\":"
                    + "\"data:text/plain;base64,ZG9j\"}}", 200);
            assertEquals("failed", away.path("status").asText(), away.toString());
            assertTrue(Pattern.compile("redirects the upload to http://10\\.255\\.0\\.1/steal/out[-0-9]*\\.txt, another host")
                    .matcher(away.path("error").asText()).find(), away.toString());
            assertTrue(uploaded.isEmpty());

            // the container still has no network, and the upload URL (a signed one carries secrets) is not in it
            String id = dev.hangar.cli.cog.Docker.capture(java.util.List.of("docker", "ps", "-q", "--filter",
                    "label=dev.hangar.cli=local", "--filter", "ancestor=" + CogProjectDockerTest.BASE), null).out().strip();
            assertEquals("none", dev.hangar.cli.cog.Docker.inspectContainer(id, "{{.HostConfig.NetworkMode}}"));
            String containerEnv = dev.hangar.cli.cog.Docker.inspectContainer(id, "{{json .Config.Env}}");
            assertTrue(containerEnv.contains("HANGAR_UPLOAD_SOCKET=/hangar/io/upload.sock"), containerEnv);
            assertFalse(containerEnv.contains(webBase), containerEnv);
        } finally {
            serve.stop.countDown();
            t.join(30_000);
        }
        assertEquals(0, exit.get(), err.toString());
        assertEquals(0, CogProjectDockerTest.localContainers(), "stopping removes the container");
    }

    /**
     * With Debian's chromium on this host: the page really renders the model's operations from
     * /openapi.json (headless, no network beyond loopback: the page's assets all come from the CLI).
     */
    static void renderedInABrowser(String base) throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        if (!Files.isExecutable(chromium)) {
            System.err.println("CogServeDockerTest: no /usr/bin/chromium, the page is checked over HTTP only");
            return;
        }
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--virtual-time-budget=10000", "--dump-dom", base + "/docs").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        for (String path : java.util.List.of("/predictions", "/health-check", "/predictions/{prediction_id}/cancel")) {
            assertTrue(dom.contains("data-path=\"" + path + "\""), "Swagger UI rendered " + path + ":\n" + dom);
        }
    }

    static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode post(HttpClient http, String url, String body, int status) throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(status, r.statusCode(), r.body());
        return Json.MAPPER.readTree(r.body());
    }

    static int containersCreatedSince(String epochSeconds) {
        long until = System.currentTimeMillis() / 1000 + 1;
        var r = dev.hangar.cli.cog.Docker.capture(java.util.List.of("docker", "events", "--since", epochSeconds,
                "--until", String.valueOf(until), "--filter", "label=dev.hangar.cli=local", "--filter", "event=create",
                "--format", "{{.ID}}"), null);
        assertEquals(0, r.exit(), r.err());
        return (int) r.out().lines().filter(l -> !l.isBlank()).count();
    }
}
