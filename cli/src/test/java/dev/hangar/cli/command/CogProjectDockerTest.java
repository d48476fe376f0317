package dev.hangar.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.CliRunner;
import dev.hangar.cli.cog.Docker;
import dev.hangar.contracts.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The Cog commands against the real Docker engine: one small project built once for the class
 * on a runtime base built from this tree's runtime/ (test tag), then build, predict with a file,
 * train, exec, serve over HTTP, --separate-weights, pip from a local wheel folder, and refusals.
 */
class CogProjectDockerTest {
    /** Names of this run's own: another checkout's suite may run at the same time on the same engine. */
    static final String NS = "hangar-it-cogcli-" + ProcessHandle.current().pid();
    static final String SHOUT = "shout" + ProcessHandle.current().pid();
    static final String BASE = NS + "/runtime-python:3.11";
    static final Path RUNTIME = Path.of(System.getProperty("hangar.runtime.dir", "../runtime")).toAbsolutePath().normalize();
    static final String CONFIG = """
            build:
              python_version: "3.11"
            predict: "predict.py:Predictor"
            train: "predict.py:Predictor"
            """;
    // Reads the file whether the runtime hands it over as a path (Cog) or still as the data: URL it was sent as.
    static final String PREDICTOR = """
            import base64, tempfile
            from cog import BasePredictor, Input, Path


            def read(doc):
                s = str(doc)
                if s.startswith("data:"):
                    return base64.b64decode(s.split(",", 1)[1]).decode()
                return open(s).read()


            class Predictor(BasePredictor):
                def setup(self) -> None:
                    print("setup: loading weights")

                def predict(self, text: str = Input(description="Text"), times: int = Input(description="Repeats", ge=1),
                            doc: Path = Input(description="A text file")) -> Path:
                    out = Path(tempfile.mkdtemp()) / "out.txt"
                    out.write_text((text * times) + "|" + read(doc))
                    return out

                def train(self, data: Path = Input(description="Training data"), epochs: int = Input(description="Epochs")) -> Path:
                    w = Path(tempfile.mkdtemp()) / "weights.bin"
                    w.write_text("trained %d epochs on %d bytes" % (epochs, len(read(data))))
                    return w
            """;

    static Path project;
    static String image;
    static final List<String> TAGS = new ArrayList<>();

    @BeforeAll
    static void buildOnce(@TempDir Path tmp) throws Exception {
        assumeTrue(Docker.capture(List.of("docker", "version", "--format", "{{.Server.Version}}"), null).exit() == 0,
                "needs the Docker engine");
        // the tree's runtime (python/hangar_runtime + python/cog), whatever the shared base holds
        Process tar = new ProcessBuilder("tar", "-C", RUNTIME.toString(), "-c", "--exclude=__pycache__", "Dockerfile",
                "python/hangar_runtime", "python/cog").start();
        byte[] context = tar.getInputStream().readAllBytes();
        assertEquals(0, tar.waitFor());
        var base = Docker.capture(List.of("env", "DOCKER_BUILDKIT=0", "docker", "build", "-q", "--network", "host", "-t", BASE, "-"),
                context);
        assertEquals(0, base.exit(), base.err());
        System.setProperty("hangar.runtime.base", BASE);
        project = Files.createDirectories(tmp.resolve(SHOUT));
        Files.writeString(project.resolve("cog.yaml"), CONFIG);
        Files.writeString(project.resolve("predict.py"), PREDICTOR);
        var built = run(project, "build", "--json", "--progress", "plain");
        assertEquals(0, built.exit(), built.toString());
        image = Json.MAPPER.readTree(built.out()).path("image_id").asText();
        Json.MAPPER.readTree(built.out()).path("tags").forEach(t -> TAGS.add(t.asText()));
    }

    @AfterAll
    static void removeImages() {
        List<String> tags = new ArrayList<>(TAGS);
        tags.addAll(Docker.capture(List.of("docker", "images", "--format", "{{.Repository}}:{{.Tag}}", "hangar-" + SHOUT), null)
                .out().lines().toList());
        tags.add(BASE);
        for (String t : tags) {
            Docker.capture(List.of("docker", "rmi", t), null);
        }
        System.clearProperty("hangar.runtime.base");
    }

    /** Runs the CLI in-process with every command's working directory set to {@code cwd}. */
    static CliRunner.Result run(Path cwd, String... args) {
        return CliRunner.run(cli -> setCwd(cli, cwd), args);
    }

    static void setCwd(CommandLine cli, Path cwd) {
        for (CommandLine sub : cli.getSubcommands().values()) {
            try {
                Field f = sub.getCommand().getClass().getDeclaredField("cwd");
                f.setAccessible(true);
                f.set(sub.getCommand(), cwd);
            } catch (NoSuchFieldException e) {
                // a command without a working directory
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static int localContainers() {
        return (int) Docker.capture(List.of("docker", "ps", "-aq", "--filter", "label=dev.hangar.cli=local", "--filter", "ancestor=" + BASE),
                        null).out()
                .lines().filter(l -> !l.isBlank()).count();
    }

    static String label(String image, String name) {
        return Docker.inspect(image, "{{index .Config.Labels \"" + name + "\"}}");
    }

    @Test
    void buildLabelsTheImageAsCogDoesAndAnUnchangedProjectIsReused() throws Exception {
        JsonNode schema = Json.MAPPER.readTree(label(image, "run.cog.openapi_schema"));
        JsonNode input = schema.at("/components/schemas/Input");
        assertEquals("[\"text\",\"times\",\"doc\"]", input.path("required").toString(), input.toString());
        assertEquals("uri", input.at("/properties/doc/format").asText());
        assertTrue(schema.at("/components/schemas/TrainingInput/properties").has("epochs"), schema.toString());
        assertEquals(Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(Json.YAML.readTree(CONFIG))),
                Json.MAPPER.readTree(label(image, "run.cog.config")));
        assertFalse(label(image, "run.cog.version").isBlank());
        assertEquals("true", label(image, "run.cog.has_init"));
        assertTrue(TAGS.stream().anyMatch(t -> t.matches("hangar-" + SHOUT + ":\\d{14}")), TAGS.toString());
        assertTrue(TAGS.contains("hangar-" + SHOUT + ":latest"), TAGS.toString());

        var again = run(project, "build");
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.out().contains("unchanged since the last build: hangar-" + SHOUT + ":latest"), again.toString());

        var dockerfile = run(project, "build", "--dockerfile");
        assertTrue(dockerfile.out().startsWith("# Generated by `hangar build`"), dockerfile.out());
        assertTrue(dockerfile.out().contains("FROM " + BASE + "\n"), dockerfile.out());
        assertTrue(dockerfile.out().contains("ENV HANGAR_TRAINER=\"/src/predict.py:Predictor\""), dockerfile.out());
    }

    @Test
    void predictChecksInputsRunsLockedDownAndWritesTheFileOutput(@TempDir Path cwd) throws Exception {
        Files.writeString(project.resolve("doc.txt"), "from a file");
        try {
            var p = run(project, "predict", image, "-i", "text=ab", "-i", "times=2", "-i", "doc=@doc.txt", "-o",
                    cwd.resolve("result.txt").toString());
            assertEquals(0, p.exit(), p.toString());
            assertEquals("abab|from a file", Files.readString(cwd.resolve("result.txt")));
            assertTrue(p.err().contains("setup: loading weights"), "setup logs are shown until READY:\n" + p.err());
            assertEquals(0, localContainers(), "the container is removed");

            // `run -i` in the project folder is the same local prediction (and builds, from the cache)
            var r = run(project, "run", "-i", "text=x", "-i", "times=1", "-i", "doc=@doc.txt", "-o", cwd.resolve("r.txt").toString());
            assertEquals(0, r.exit(), r.toString());
            assertEquals("x|from a file", Files.readString(cwd.resolve("r.txt")));

            // `-o out/` names a folder, made when missing, even for one output (a Path alone drops the slash)
            var d = run(project, "predict", image, "-i", "text=y", "-i", "times=1", "-i", "doc=@doc.txt", "-o",
                    cwd.resolve("out") + "/");
            assertEquals(0, d.exit(), d.toString());
            assertTrue(Files.isDirectory(cwd.resolve("out")), "out/ is a folder");
            try (var files = Files.list(cwd.resolve("out"))) {
                assertEquals(List.of("y|from a file"), files.map(f -> {
                    try {
                        return Files.readString(f);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).toList());
            }
        } finally {
            Files.delete(project.resolve("doc.txt"));
        }
    }

    @Test
    void badInputsAreRefusedBeforeAnyContainerStarts() throws Exception {
        long since = System.currentTimeMillis() / 1000 - 1;
        {
            var unknown = run(project, "predict", image, "-i", "text=a", "-i", "times=1", "-i", "doc=x", "-i", "color=red");
            assertEquals(1, unknown.exit());
            assertTrue(unknown.err().contains("no input 'color'"), unknown.err());
            var missing = run(project, "predict", image, "-i", "text=a");
            assertEquals(1, missing.exit());
            assertTrue(missing.err().contains("needs inputs times, doc"), missing.err());
            var typed = run(project, "predict", image, "-i", "text=a", "-i", "times=two", "-i", "doc=x");
            assertTrue(typed.err().contains("'times' expects an integer"), typed.err());
            var noTrain = run(project, "predict", image, "-i", "epochs=1", "-i", "data=x");
            assertTrue(noTrain.err().contains("no input 'epochs'"), noTrain.err());
        }
        long until = System.currentTimeMillis() / 1000 + 1;
        var events = Docker.capture(List.of("docker", "events", "--since", String.valueOf(since), "--until", String.valueOf(until),
                "--filter", "label=dev.hangar.cli=local", "--filter", "event=create", "--format", "{{.ID}}"), null);
        assertEquals(0, events.exit(), events.err());
        assertEquals("", events.out().strip(), "no container was created");
    }

    @Test
    void trainSavesTheProducedWeights(@TempDir Path cwd) throws Exception {
        Files.writeString(cwd.resolve("data.txt"), "12345");
        var t = run(cwd, "train", image, "-i", "data=@data.txt", "-i", "epochs=3");
        assertEquals(0, t.exit(), t.toString());
        try (var saved = Files.list(cwd.resolve("weights"))) {
            List<Path> files = saved.toList();
            assertEquals(1, files.size(), files.toString());
            assertEquals("trained 3 epochs on 5 bytes", Files.readString(files.getFirst()));
        }
    }

    @Test
    void execRunsAnyCommandInTheImageWithNoNetwork() {
        var e = run(project, "exec", "--image", image, "--", "sh", "-c", "ls /sys/class/net; id -u; ls /src");
        assertEquals(0, e.exit(), e.toString());
        assertEquals(List.of("lo", "10001", "cog.yaml", "predict.py"), e.out().lines().toList(), e.toString());
        var failing = run(project, "exec", "--image", image, "--", "sh", "-c", "echo oops >&2; exit 7");
        assertEquals(7, failing.exit(), "the command's exit status");
        assertTrue(failing.err().contains("oops"), failing.toString());
    }

    /** With a terminal (script(1) gives the CLI one), exec gives the command a TTY; piped, it gets none. */
    @Test
    void execHasATtyWhenTheCliHasOne(@TempDir Path cwd) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "needs script(1) for a pseudo-terminal");
        String javaBin = ProcessHandle.current().info().command().orElseThrow();
        String cli = "'" + javaBin + "' -cp '" + System.getProperty("java.class.path") + "' dev.hangar.cli.Main exec --image " + image
                + " -- tty";
        Process p = new ProcessBuilder("script", "-qec", cli, "/dev/null").directory(cwd.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(out.contains("/dev/pts/"), "the command's stdin is a terminal:\n" + out);

        var piped = run(cwd, "exec", "--image", image, "--", "tty");
        assertEquals("not a tty", piped.out().strip(), piped.toString());
        assertEquals(1, piped.exit(), "tty's own status");
    }

    /** --no-cache rebuilds every step (a cached build says "Using cache" for them), and the result is a new image. */
    @Test
    void noCacheRebuildsEveryStep(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("nocache"));
        Files.writeString(dir.resolve("cog.yaml"), "build:\n  run:\n    - command: \"echo built > /opt/stamp\"\npredict: \"predict.py:P\"\n");
        Files.writeString(dir.resolve("predict.py"), "from cog import BasePredictor\n\nclass P(BasePredictor):\n"
                + "    def predict(self, x: int) -> int:\n        return x\n");
        String tag = NS + "/nocache:";
        try {
            assertEquals(0, run(dir, "build", "-t", tag + "1").exit());
            var cached = run(dir, "build", "-t", tag + "2", "--progress", "plain");
            assertEquals(0, cached.exit(), cached.toString());
            assertTrue(cached.err().contains("Using cache"), cached.err());
            var fresh = run(dir, "build", "-t", tag + "3", "--no-cache", "--progress", "plain");
            assertEquals(0, fresh.exit(), fresh.toString());
            assertFalse(fresh.err().contains("Using cache"), fresh.err());
            assertTrue(fresh.err().contains("echo built > /opt/stamp"), "the run step ran again: " + fresh.err());
            assertNotEquals(Docker.inspect(tag + "1", "{{.Id}}"), Docker.inspect(tag + "3", "{{.Id}}"));
        } finally {
            Docker.capture(List.of("docker", "rmi", tag + "1", tag + "2", tag + "3"), null);
        }
    }

    @Test
    void serveExposesTheApiDocsAndSchemaOnLoopbackUntilStopped(@TempDir Path cwd) throws Exception {
        CommandLine cli = dev.hangar.cli.Main.commandLine();
        var err = new java.io.StringWriter();
        cli.setOut(new java.io.PrintWriter(new java.io.StringWriter(), true));
        cli.setErr(new java.io.PrintWriter(err, true));
        ServeCommand serve = (ServeCommand) cli.getSubcommands().get("serve").getCommand();
        AtomicReference<Integer> exit = new AtomicReference<>();
        byte[] key = "a webhook signing key of 32 byte".getBytes(StandardCharsets.UTF_8);
        String secret = "whsec_" + java.util.Base64.getEncoder().encodeToString(key);
        Thread t = Thread.ofPlatform().start(() -> exit.set(cli.execute("serve", image, "-p", "0", "-e", "HANGAR_WEBHOOK_SECRET=" + secret)));
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (serve.boundPort == 0 && t.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertNotEquals(0, serve.boundPort, err.toString());
            String base = "http://127.0.0.1:" + serve.boundPort;
            HttpClient http = HttpClient.newHttpClient();
            String body = "{\"input\":{\"text\":\"hi\",\"times\":3,\"doc\":\"data:text/plain;base64,ZG9j\"}}";
            var prediction = http.send(HttpRequest.newBuilder(URI.create(base + "/predictions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, prediction.statusCode(), prediction.body());
            assertEquals("succeeded", Json.MAPPER.readTree(prediction.body()).path("status").asText(), prediction.body());
            var openapi = http.send(HttpRequest.newBuilder(URI.create(base + "/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(Json.MAPPER.readTree(label(image, "run.cog.openapi_schema")), Json.MAPPER.readTree(openapi.body()));
            var docs = http.send(HttpRequest.newBuilder(URI.create(base + "/docs")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, docs.statusCode());
            assertTrue(docs.headers().firstValue("content-type").orElse("").startsWith("text/html"));
            assertTrue(docs.body().contains("<div id=\"swagger-ui\">"), docs.body()); // CogServeDockerTest loads its assets
            assertFalse(docs.body().contains("https://cdn"), "no assets from outside this host");
            var health = http.send(HttpRequest.newBuilder(URI.create(base + "/health-check")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("READY", Json.MAPPER.readTree(health.body()).path("status").asText(), health.body());
            assertEquals(1, localContainers());
            webhooksReachTheHostThroughTheCliOnly(http, base, key);
        } finally {
            serve.stop.countDown();
            t.join(30_000);
        }
        assertEquals(0, exit.get());
        assertEquals(0, localContainers(), "stopping removes the container");

        var open = run(cwd, "serve", image, "--host", "0.0.0.0");
        assertEquals(1, open.exit());
        assertTrue(open.err().contains("not a loopback address"), open.toString());
    }

    /**
     * A request's webhook under serve: the container has no network, the CLI delivers it (signed by the
     * runtime); the relay socket, spoken to as the container could, sends nothing to a URL no request named.
     */
    static void webhooksReachTheHostThroughTheCliOnly(HttpClient http, String base, byte[] key) throws Exception {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<byte[]> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<com.sun.net.httpserver.Headers> heads = new java.util.concurrent.CopyOnWriteArrayList<>();
        var receiver = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", exchange -> {
            seen.add(exchange.getRequestURI().getPath());
            bodies.add(exchange.getRequestBody().readAllBytes());
            heads.add(exchange.getRequestHeaders());
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            String body = "{\"id\":\"hooked\",\"input\":{\"text\":\"w\",\"times\":1,\"doc\":\"data:,d\"},\"webhook\":\"" + hook
                    + "\",\"webhook_events_filter\":[\"completed\"]}";
            var prediction = http.send(HttpRequest.newBuilder(URI.create(base + "/predictions")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, prediction.statusCode(), prediction.body());
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(List.of("/hook"), seen, "the completed webhook, once");
            JsonNode delivered = Json.MAPPER.readTree(bodies.getFirst());
            assertEquals("hooked", delivered.path("id").asText());
            assertEquals("succeeded", delivered.path("status").asText(), delivered.toString());
            var h = heads.getFirst();
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            mac.update((h.getFirst("webhook-id") + "." + h.getFirst("webhook-timestamp") + ".").getBytes(StandardCharsets.UTF_8));
            assertEquals("v1," + java.util.Base64.getEncoder().encodeToString(mac.doFinal(bodies.getFirst())), h.getFirst("webhook-signature"),
                    "signed in the container, passed on unchanged");

            // the model itself speaking to the relay, for a URL no request named: refused, nothing sent
            String id = Docker.capture(List.of("docker", "ps", "-q", "--filter", "label=dev.hangar.cli=local", "--filter",
                    "ancestor=" + BASE), null).out().strip();
            Path folder = Path.of(Docker.inspectContainer(id, "{{range .Mounts}}{{if eq .Destination \"/hangar/io\"}}{{.Source}}{{end}}{{end}}"));
            try (var ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(folder.resolve("webhook.sock")))) {
                String other = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/exfiltrate";
                ch.write(java.nio.ByteBuffer.wrap(("POST / HTTP/1.1\r\nHost: x\r\nX-Webhook-URL: " + other
                        + "\r\nContent-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.ISO_8859_1)));
                String answer = new String(java.nio.channels.Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(answer.startsWith("HTTP/1.1 403"), answer);
            }
            assertEquals(List.of("/hook"), seen, "nothing reached the host for it");
        } finally {
            receiver.stop(0);
        }
    }

    /** serve: jobs beyond the busy slot wait in a bounded queue (16, or -e HANGAR_QUEUE_SIZE); only past it is a request 409. */
    @Test
    void serveQueuesBeyondTheBusySlotAnd409sOnlyWhenTheQueueIsFull(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("sleepy"));
        Files.writeString(dir.resolve("cog.yaml"), "predict: \"predict.py:Predictor\"\n");
        Files.writeString(dir.resolve("predict.py"), "import time\nfrom cog import BasePredictor\n\nclass Predictor(BasePredictor):\n"
                + "    def predict(self, seconds: float) -> str:\n        time.sleep(seconds)\n        return 'slept'\n");
        String tag = NS + "/sleepy:1";
        try {
            assertEquals(0, run(dir, "build", "-t", tag).exit());
            assertEquals(List.of(202, 202, 202, 409), acceptedOf(tag, 4, "-e", "HANGAR_QUEUE_SIZE=2"), "one running, two queued, then full");
            List<Integer> byDefault = acceptedOf(tag, 18);
            assertEquals(17, byDefault.stream().filter(s -> s == 202).count(), byDefault.toString());
            assertEquals(409, byDefault.getLast(), byDefault.toString());
        } finally {
            Docker.capture(List.of("docker", "rmi", tag), null);
        }
    }

    /** Serves {@code image}, posts {@code n} async predictions of 30 s, returns their statuses, stops serving. */
    static List<Integer> acceptedOf(String image, int n, String... extra) throws Exception {
        CommandLine cli = dev.hangar.cli.Main.commandLine();
        var err = new java.io.StringWriter();
        cli.setOut(new java.io.PrintWriter(new java.io.StringWriter(), true));
        cli.setErr(new java.io.PrintWriter(err, true));
        ServeCommand serve = (ServeCommand) cli.getSubcommands().get("serve").getCommand();
        List<String> args = new ArrayList<>(List.of("serve", image, "-p", "0"));
        args.addAll(List.of(extra));
        AtomicReference<Integer> exit = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> exit.set(cli.execute(args.toArray(String[]::new))));
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (serve.boundPort == 0 && t.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertNotEquals(0, serve.boundPort, err.toString());
            HttpClient http = HttpClient.newHttpClient();
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                statuses.add(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serve.boundPort + "/predictions"))
                        .header("Content-Type", "application/json").header("Prefer", "respond-async")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"input\":{\"seconds\":30}}")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode());
            }
            return statuses;
        } finally {
            serve.stop.countDown();
            t.join(60_000);
        }
    }

    @Test
    void separateWeightsKeepsTheWeightsLayerWhenTheCodeChanges(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("weighty"));
        Files.writeString(dir.resolve("cog.yaml"), "predict: \"predict.py:Predictor\"\n");
        Files.writeString(dir.resolve("predict.py"), "from cog import BasePredictor\n\nclass Predictor(BasePredictor):\n"
                + "    def predict(self, x: int) -> int:\n        return x\n");
        Files.createDirectories(dir.resolve("weights"));
        Files.write(dir.resolve("weights/model.bin"), new byte[256 * 1024]);
        String tag = NS + "/weighty:";
        try {
            var first = run(dir, "build", "--separate-weights", "-t", tag + "1");
            assertEquals(0, first.exit(), first.toString());
            Files.writeString(dir.resolve("predict.py"), Files.readString(dir.resolve("predict.py")).replace("return x", "return x + 1"));
            var second = run(dir, "build", "--separate-weights", "-t", tag + "2");
            assertEquals(0, second.exit(), second.toString());
            List<String> one = layers(tag + "1");
            List<String> two = layers(tag + "2");
            assertEquals(one.size(), two.size());
            assertEquals(one.get(one.size() - 2), two.get(two.size() - 2), "the weights layer is the same");
            assertNotEquals(one.getLast(), two.getLast(), "the code layer changed");
            var inImage = run(dir, "exec", "--image", tag + "2", "--", "sh", "-c", "wc -c < /src/weights/model.bin");
            assertEquals("262144", inImage.out().strip(), inImage.toString());
        } finally {
            Docker.capture(List.of("docker", "rmi", tag + "1", tag + "2"), null);
        }
    }

    static List<String> layers(String image) throws IOException {
        JsonNode layers = Json.MAPPER.readTree(Docker.inspect(image, "{{json .RootFS.Layers}}"));
        List<String> out = new ArrayList<>();
        layers.forEach(l -> out.add(l.asText()));
        return out;
    }

    @Test
    void pipPackagesComeFromALocalWheelFolderAndSystemPackagesFromDebian(@TempDir Path tmp) throws Exception {
        Path wheels = Files.createDirectories(tmp.resolve("wheels"));
        Files.write(wheels.resolve("hangar_hello-1.0-py3-none-any.whl"), wheel());
        Path dir = Files.createDirectories(tmp.resolve("pkgs"));
        Files.writeString(dir.resolve("cog.yaml"), """
                build:
                  system_packages: [jq]
                  python_packages: ["hangar-hello==1.0"]
                  run:
                    - command: "echo from-run > /opt/marker"
                predict: "predict.py:Predictor"
                """);
        Files.writeString(dir.resolve("predict.py"), "import hangar_hello\nfrom cog import BasePredictor\n\n"
                + "class Predictor(BasePredictor):\n    def predict(self, name: str) -> str:\n        return hangar_hello.hi(name)\n");
        String tag = NS + "/pkgs:1";
        try {
            var b = run(dir, "build", "-t", tag, "--pip-wheels", wheels.toString(), "--progress", "plain");
            assertEquals(0, b.exit(), b.toString());
            assertTrue(label(tag, "run.cog.pip_freeze").contains("hangar-hello==1.0"), label(tag, "run.cog.pip_freeze"));
            var e = run(dir, "exec", "--image", tag, "--", "sh", "-c", "jq -n 1; cat /opt/marker");
            assertEquals(List.of("1", "from-run"), e.out().lines().toList(), e.toString());
            var p = run(dir, "predict", tag, "-i", "name=cog");
            assertEquals(0, p.exit(), p.toString());
            assertEquals("hello cog", p.out().strip());
        } finally {
            Docker.capture(List.of("docker", "rmi", tag), null);
        }
    }

    /**
     * python_requirements, installed by pip from $PIP_INDEX_URL (a PEP 503 index on loopback that wants a password); the URL with its
     * credentials reaches pip but not the image: not its history, config or labels, which are pushed with it.
     */
    @Test
    void pipPackagesComeFromPipIndexUrlWhoseCredentialsStayOutOfTheImage(@TempDir Path tmp) throws Exception {
        byte[] wheel = wheel();
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        String auth = "Basic " + java.util.Base64.getEncoder().encodeToString("pip:s3cret-token".getBytes(StandardCharsets.UTF_8));
        var index = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        index.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            asked.add(path);
            byte[] body;
            if (!auth.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"index\"");
                body = new byte[0];
                exchange.sendResponseHeaders(401, -1);
            } else if (path.equals("/simple/hangar-hello/")) {
                body = "<html><body><a href=\"/files/hangar_hello-1.0-py3-none-any.whl\">hangar_hello-1.0-py3-none-any.whl</a></body></html>"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/html");
                exchange.sendResponseHeaders(200, body.length);
            } else if (path.equals("/files/hangar_hello-1.0-py3-none-any.whl")) {
                body = wheel;
                exchange.sendResponseHeaders(200, body.length);
            } else {
                body = new byte[0];
                exchange.sendResponseHeaders(404, -1);
            }
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        index.start();
        Path dir = Files.createDirectories(tmp.resolve("indexed"));
        Files.writeString(dir.resolve("cog.yaml"), """
                build:
                  system_packages: [jq]
                  python_requirements: requirements.txt
                predict: "predict.py:Predictor"
                """);
        Files.writeString(dir.resolve("requirements.txt"), "# from the index\nhangar-hello==1.0\n");
        Files.writeString(dir.resolve("predict.py"), "import hangar_hello\nfrom cog import BasePredictor\n\n"
                + "class Predictor(BasePredictor):\n    def predict(self, name: str) -> str:\n        return hangar_hello.hi(name)\n");
        String tag = NS + "/indexed:1";
        try {
            String url = "http://pip:s3cret-token@127.0.0.1:" + index.getAddress().getPort() + "/simple/";
            var b = cliProcess(dir, Map.of("PIP_INDEX_URL", url, "HANGAR_RUNTIME_BASE", BASE), "build", "-t", tag, "--progress", "plain");
            assertEquals(0, b.exit(), b.toString());
            assertTrue(asked.contains("/files/hangar_hello-1.0-py3-none-any.whl"), "pip used the index: " + asked);
            assertTrue(label(tag, "run.cog.pip_freeze").contains("hangar-hello==1.0"), label(tag, "run.cog.pip_freeze"));
            assertEquals("hello index", run(dir, "predict", tag, "-i", "name=index").out().strip());
            for (List<String> look : List.of(List.of("docker", "history", "--no-trunc", tag), List.of("docker", "inspect", tag))) {
                var seen = Docker.capture(look, null);
                assertEquals(0, seen.exit(), seen.err());
                assertFalse(seen.out().contains("s3cret-token"), String.join(" ", look) + " shows the index password:\n" + seen.out());
            }
        } finally {
            index.stop(0);
            Docker.capture(List.of("docker", "rmi", tag), null);
        }
    }

    /** The CLI as its own process (what an environment variable or a terminal needs), with this test's class path. */
    static Docker.Result cliProcess(Path cwd, java.util.Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), "dev.hangar.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().remove("HANGAR_PIP_WHEELS");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        var err = new ByteArrayOutputStream();
        Thread drain = Thread.ofVirtual().start(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // gone
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, java.util.concurrent.TimeUnit.MINUTES), "the CLI did not finish");
        drain.join();
        return new Docker.Result(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    /** A pure-Python wheel, made here: PyPI is not reachable. */
    static byte[] wheel() throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(bytes)) {
            put(zip, "hangar_hello/__init__.py", "def hi(name):\n    return 'hello ' + name\n");
            put(zip, "hangar_hello-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: hangar-hello\nVersion: 1.0\n");
            put(zip, "hangar_hello-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
            put(zip, "hangar_hello-1.0.dist-info/RECORD", "hangar_hello/__init__.py,,\nhangar_hello-1.0.dist-info/METADATA,,\n"
                    + "hangar_hello-1.0.dist-info/WHEEL,,\nhangar_hello-1.0.dist-info/RECORD,,\n");
        }
        return bytes.toByteArray();
    }

    static void put(ZipOutputStream zip, String name, String content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }

    @Test
    void refusalsSayWhatToFix(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("bad"));
        Files.writeString(dir.resolve("cog.yaml"), "predict: \"predict.py:Predictor\"\n");
        var noFile = run(dir, "build");
        assertEquals(1, noFile.exit());
        assertTrue(noFile.err().contains("names predict.py, which is not a file"), noFile.err());
        Files.writeString(dir.resolve("predict.py"), "class Model:\n    pass\n");
        var noClass = run(dir, "build");
        assertTrue(noClass.err().contains("predict.py defines no class or function Predictor"), noClass.err());
        // a signature the runtime cannot serve is refused by the build, with the reason
        Files.writeString(dir.resolve("predict.py"), "from cog import BasePredictor\n\nclass Predictor(BasePredictor):\n"
                + "    def predict(self, x: complex) -> str:\n        return 'x'\n");
        var badSignature = run(dir, "build", "-t", NS + "/bad:1");
        assertEquals(1, badSignature.exit(), badSignature.toString());
        assertTrue(badSignature.err().contains("predict.py:Predictor:"), badSignature.err());
        assertTrue(badSignature.err().contains("x"), badSignature.err());
        assertEquals(null, Docker.inspect(NS + "/bad:1", "{{.Id}}"), "no image is tagged");

        Files.writeString(dir.resolve("cog.yaml"), "build:\n  python_version: \"3.12\"\npredict: \"predict.py:Predictor\"\n");
        var python = run(dir, "build");
        assertTrue(python.err().contains("Python 3.12 is not available"), python.err());
        Files.writeString(dir.resolve("cog.yaml"), "build:\n  gpu: true\npredict: \"predict.py:Predictor\"\n");
        var gpu = run(dir, "build");
        assertEquals(1, gpu.exit());
        assertTrue(gpu.err().contains("CUDA base"), gpu.err());
        assertTrue(gpu.err().contains("is missing on this installation"), gpu.err());

        var init = run(dir, "init");
        assertEquals(1, init.exit());
        assertTrue(init.err().contains("cog.yaml already exists"), init.err());
    }

    /**
     * Every sample Cog project (written in Cog's documented style) builds, with the schema its test expects,
     * and runs in its image through `hangar predict` (and `train`): its happy case and its failure.
     */
    @Test
    void theSampleCogProjectsBuildWithTheirExpectedSchemas(@TempDir Path tmp) throws Exception {
        Path samples = RUNTIME.resolve("src/test/resources/cog-projects");
        List<Path> projects;
        try (var list = Files.list(samples)) {
            projects = list.filter(Files::isDirectory).sorted().toList();
        }
        assertTrue(projects.size() >= 9, projects.toString());
        for (Path sample : projects) {
            String tag = NS + "/sample-" + sample.getFileName() + ":1";
            try {
                var b = run(sample, "build", "-t", tag);
                assertEquals(0, b.exit(), sample.getFileName() + ": " + b);
                JsonNode schemas = Json.MAPPER.readTree(label(tag, "run.cog.openapi_schema")).at("/components/schemas");
                JsonNode expected = Json.MAPPER.readTree(Files.readString(sample.resolve("expected_schema.json")));
                expected.fieldNames().forEachRemaining(name -> assertEquals(expected.get(name), schemas.get(name),
                        sample.getFileName() + ": components.schemas." + name));
                runsInItsImage(sample.getFileName().toString(), tag, tmp);
                assertEquals(0, localContainers(), sample.getFileName() + ": the container is removed");
            } finally {
                Docker.capture(List.of("docker", "rmi", tag), null);
            }
        }
    }

    /**
     * A hangar.yaml processor states its schema twice (inputs_schema, the predictor's input_schema): push
     * checks them against each other in the built image and a drift stops it before anything is pushed.
     */
    @Test
    void pushRefusesAHangarYamlWhoseSchemaDriftedFromThePredictorBeforePushing(@TempDir Path tmp) throws Exception {
        String predictor = """
                from hangar_runtime.processor import Processor


                class Predictor(Processor):
                    input_schema = {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer", "maximum": 600}}}

                    def predict(self, **inputs):
                        return inputs
                """;
        Path dir = Files.createDirectories(tmp.resolve("drift"));
        Files.writeString(dir.resolve("Dockerfile"), "FROM " + BASE + "\nCOPY predict.py /src/predict.py\n");
        Files.writeString(dir.resolve("predict.py"), predictor);
        String repository = "127.0.0.1:5000/hangar-it-cogcli-test/drift-" + ProcessHandle.current().pid();
        String spec = """
                ref: hangar-it/drift@1
                image: %s
                runtime: {cpu: 0.5, memory_mb: 128, gpus: 0, timeout_seconds: 30}
                secrets: []
                inputs_schema:
                  type: object
                  required: [n]
                  properties:
                    n: {type: integer, maximum: %s}
                outputs: []
                """;
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        var gateway = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        gateway.createContext("/", exchange -> { // ready, and records whatever else push would ask
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            exchange.sendResponseHeaders(exchange.getRequestURI().getPath().equals("/q/health/ready") ? 200 : 500, -1);
            exchange.close();
        });
        gateway.start();
        String url = "http://127.0.0.1:" + gateway.getAddress().getPort();
        try {
            Files.writeString(dir.resolve("hangar.yaml"), spec.formatted(repository, "60"));
            var drifted = run(tmp, "push", dir.toString(), "--url", url, "--api-key", "hk_test");
            assertEquals(1, drifted.exit(), drifted.toString());
            assertTrue(drifted.err().contains("ERR_SPEC_INVALID"), drifted.err());
            assertTrue(drifted.err().contains("differ at /properties/n/maximum (hangar.yaml: 60, the predictor: 600)"), drifted.err());
            assertFalse(drifted.err().contains("pushing"), drifted.err());
            assertEquals(List.of("GET /q/health/ready"), seen, "nothing was registered");
            var tags = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:5000/v2/"
                    + repository.substring("127.0.0.1:5000/".length()) + "/tags/list")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, tags.statusCode(), "nothing was pushed: " + tags.body());

            // the same numbers in both (YAML's 600 is Python's 600): the check passes, push goes on to the registry
            Files.writeString(dir.resolve("hangar.yaml"), spec.formatted(repository, "600"));
            assertEquals(null, dev.hangar.cli.cog.DeclaredSchema.check(imageOf(repository), Json.YAML.readTree(
                    Files.readString(dir.resolve("hangar.yaml"))).path("inputs_schema")));
            // a processor without input_schema leaves hangar.yaml's the only schema: nothing to compare
            Files.writeString(dir.resolve("predict.py"), predictor.replace("input_schema = ", "other = "));
            var bare = Docker.capture(List.of("env", "DOCKER_BUILDKIT=0", "docker", "build", "-q", "-t", repository + ":bare", dir.toString()), null);
            assertEquals(0, bare.exit(), bare.err());
            assertEquals(null, dev.hangar.cli.cog.DeclaredSchema.check(repository + ":bare", Json.MAPPER.readTree("{\"type\":\"object\"}")));
        } finally {
            gateway.stop(0);
            for (String t : Docker.capture(List.of("docker", "images", "--format", "{{.Repository}}:{{.Tag}}", repository), null)
                    .out().lines().toList()) {
                Docker.capture(List.of("docker", "rmi", t), null);
            }
        }
    }

    /** The one tag push gave the image it built. */
    static String imageOf(String repository) {
        return Docker.capture(List.of("docker", "images", "--format", "{{.Repository}}:{{.Tag}}", repository), null).out().lines()
                .findFirst().orElseThrow();
    }

    /** One sample's predictions in its built image, as a user runs them. */
    static void runsInItsImage(String sample, String tag, Path cwd) throws Exception {
        switch (sample) {
            case "types" -> {
                var p = run(cwd, "predict", tag, "-i", "prompt=world", "-i", "repeats=2", "-i", "style=fancy", "-i", "api_key=sk-abc",
                        "--json");
                assertEquals(0, p.exit(), p.toString());
                JsonNode done = Json.MAPPER.readTree(p.out());
                assertEquals("~ hello world hello world ~", done.at("/output/text").asText(), p.out());
                assertFalse(p.out().contains("sk-abc"), "the Secret is masked in the echoed input");
                var refused = run(cwd, "predict", tag, "-i", "prompt=x", "-i", "style=odd");
                assertEquals(1, refused.exit(), refused.toString());
            }
            case "file-input" -> {
                Files.writeString(cwd.resolve("doc.txt"), "first line\nsecond\n");
                var p = run(cwd, "predict", tag, "-i", "document=@doc.txt", "--json");
                assertEquals(0, p.exit(), p.toString());
                assertEquals("first line", Json.MAPPER.readTree(p.out()).at("/output/first_line").asText(), p.out());
            }
            case "path-output" -> {
                var p = run(cwd, "predict", tag, "-i", "text=hi", "-i", "copies=3", "-o", "copies.txt");
                assertEquals(0, p.exit(), p.toString());
                assertEquals("hi\nhi\nhi\n", Files.readString(cwd.resolve("copies.txt")));
            }
            case "streaming" -> {
                var p = run(cwd, "predict", tag, "-i", "prompt=hello big world");
                assertEquals(0, p.exit(), p.toString());
                assertEquals("hello big world \n", p.out(), "the chunks as they came, not the final list");
            }
            case "async-runner" -> {
                var p = run(cwd, "predict", tag, "-i", "name=ada");
                assertEquals(0, p.exit(), p.toString());
                assertEquals("async hello ada", p.out().strip());
            }
            case "failing-predict" -> {
                assertEquals("2", run(cwd, "predict", tag, "-i", "number=4").out().strip());
                var odd = run(cwd, "predict", tag, "-i", "number=3");
                assertEquals(1, odd.exit(), odd.toString());
                assertTrue(odd.err().contains("ValueError: odd numbers are not supported: 3"), odd.err());
            }
            case "failing-setup" -> {
                var p = run(cwd, "predict", tag, "-i", "text=x");
                assertEquals(1, p.exit());
                assertTrue(p.err().contains("setup() failed"), p.err());
                assertTrue(p.err().contains("weights not found: /src/weights.bin"), p.err());
            }
            case "legacy" -> {
                var p = run(cwd, "predict", tag, "-i", "text=Hi", "-i", "times=2");
                assertEquals(0, p.exit(), p.toString());
                assertEquals("HIHI!", p.out().strip());
            }
            case "training" -> {
                Files.writeString(cwd.resolve("data.txt"), "12345");
                var t = run(cwd, "train", tag, "-i", "train_data=@data.txt", "-i", "learning_rate=0.5");
                assertEquals(0, t.exit(), t.toString());
                Path weights;
                try (var saved = Files.list(cwd.resolve("weights"))) {
                    weights = saved.filter(f -> !f.getFileName().toString().startsWith(".")).findFirst().orElseThrow();
                }
                String trained = Files.readString(weights);
                assertEquals("trained on 5 bytes at lr=0.5", trained);
                // -e reaches the container: COG_WEIGHTS is what setup(weights) loads
                String url = "data:text/plain;base64," + java.util.Base64.getEncoder().encodeToString(trained.getBytes(StandardCharsets.UTF_8));
                var p = run(cwd, "predict", tag, "-i", "prompt=hi", "-e", "COG_WEIGHTS=" + url);
                assertEquals(0, p.exit(), p.toString());
                assertEquals("trained on 5 bytes at lr=0.5: hi", p.out().strip());
                assertEquals("base: hi", run(cwd, "predict", tag, "-i", "prompt=hi").out().strip(), "without it, the base weights");
            }
            default -> throw new AssertionError("no run case for the sample " + sample + ": add one");
        }
    }

    @Test
    void theCompactProgressViewRewritesOneLineWithTheCurrentStep() {
        var text = new java.io.StringWriter();
        var view = new BuildCommand.StepView(new java.io.PrintWriter(text, true));
        view.accept("Step 1/3 : FROM base");
        view.accept(" ---> 1234");
        view.accept("Step 2/3 : COPY src/ /src/");
        assertEquals("\r\033[2KStep 1/3 : FROM base\r\033[2KStep 2/3 : COPY src/ /src/", text.toString());
    }

    @Test
    void aHangarStylePredictorBuildsAndRunsFromCogYaml(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("native"));
        Files.writeString(dir.resolve("cog.yaml"), "predict: \"predict.py:Predictor\"\n");
        Files.writeString(dir.resolve("predict.py"), """
                from hangar_runtime.processor import Processor


                class Predictor(Processor):
                    input_schema = {"type": "object", "required": ["word"], "properties": {"word": {"type": "string"}}}

                    def predict(self, **inputs):
                        return {"echo": inputs["word"]}
                """);
        String tag = NS + "/native:1";
        try {
            var b = run(dir, "build", "-t", tag);
            assertEquals(0, b.exit(), b.toString());
            var p = run(dir, "predict", tag, "-i", "word=hi", "--json");
            assertEquals(0, p.exit(), p.toString());
            assertEquals("hi", Json.MAPPER.readTree(p.out()).at("/output/echo").asText(), p.out());
            assertNotNull(label(tag, "run.cog.openapi_schema"));
        } finally {
            Docker.capture(List.of("docker", "rmi", tag), null);
        }
    }
}
