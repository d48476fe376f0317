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
    static final String BASE = "hangar-it-cogcli-test/runtime-python:3.11";
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
        project = Files.createDirectories(tmp.resolve("shout"));
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
        tags.addAll(Docker.capture(List.of("docker", "images", "--format", "{{.Repository}}:{{.Tag}}", "hangar-shout"), null)
                .out().lines().toList());
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
        return (int) Docker.capture(List.of("docker", "ps", "-aq", "--filter", "label=dev.hangar.cli=local"), null).out()
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
        assertTrue(TAGS.stream().anyMatch(t -> t.matches("hangar-shout:\\d{14}")), TAGS.toString());
        assertTrue(TAGS.contains("hangar-shout:latest"), TAGS.toString());

        var again = run(project, "build");
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.out().contains("unchanged since the last build: hangar-shout:latest"), again.toString());

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

    @Test
    void serveExposesTheApiDocsAndSchemaOnLoopbackUntilStopped(@TempDir Path cwd) throws Exception {
        CommandLine cli = dev.hangar.cli.Main.commandLine();
        var err = new java.io.StringWriter();
        cli.setOut(new java.io.PrintWriter(new java.io.StringWriter(), true));
        cli.setErr(new java.io.PrintWriter(err, true));
        ServeCommand serve = (ServeCommand) cli.getSubcommands().get("serve").getCommand();
        AtomicReference<Integer> exit = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> exit.set(cli.execute("serve", image, "-p", "0")));
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

    @Test
    void separateWeightsKeepsTheWeightsLayerWhenTheCodeChanges(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("weighty"));
        Files.writeString(dir.resolve("cog.yaml"), "predict: \"predict.py:Predictor\"\n");
        Files.writeString(dir.resolve("predict.py"), "from cog import BasePredictor\n\nclass Predictor(BasePredictor):\n"
                + "    def predict(self, x: int) -> int:\n        return x\n");
        Files.createDirectories(dir.resolve("weights"));
        Files.write(dir.resolve("weights/model.bin"), new byte[256 * 1024]);
        String tag = "hangar-it-cogcli-test/weighty:";
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
        String tag = "hangar-it-cogcli-test/pkgs:1";
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
        var badSignature = run(dir, "build", "-t", "hangar-it-cogcli-test/bad:1");
        assertEquals(1, badSignature.exit(), badSignature.toString());
        assertTrue(badSignature.err().contains("predict.py:Predictor:"), badSignature.err());
        assertTrue(badSignature.err().contains("x"), badSignature.err());
        assertEquals(null, Docker.inspect("hangar-it-cogcli-test/bad:1", "{{.Id}}"), "no image is tagged");

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

    /** Every sample Cog project (written in Cog's documented style) builds, with the schema its test expects. */
    @Test
    void theSampleCogProjectsBuildWithTheirExpectedSchemas(@TempDir Path tmp) throws Exception {
        Path samples = RUNTIME.resolve("src/test/resources/cog-projects");
        List<Path> projects;
        try (var list = Files.list(samples)) {
            projects = list.filter(Files::isDirectory).sorted().toList();
        }
        assertTrue(projects.size() >= 9, projects.toString());
        for (Path sample : projects) {
            String tag = "hangar-it-cogcli-test/sample-" + sample.getFileName() + ":1";
            try {
                var b = run(sample, "build", "-t", tag);
                assertEquals(0, b.exit(), sample.getFileName() + ": " + b);
                JsonNode schemas = Json.MAPPER.readTree(label(tag, "run.cog.openapi_schema")).at("/components/schemas");
                JsonNode expected = Json.MAPPER.readTree(Files.readString(sample.resolve("expected_schema.json")));
                expected.fieldNames().forEachRemaining(name -> assertEquals(expected.get(name), schemas.get(name),
                        sample.getFileName() + ": components.schemas." + name));
                if (sample.getFileName().toString().equals("failing-setup")) {
                    var p = run(tmp, "predict", tag, "-i", "text=x");
                    assertEquals(1, p.exit());
                    assertTrue(p.err().contains("setup() failed"), p.err());
                    assertTrue(p.err().contains("weights not found: /src/weights.bin"), p.err());
                    assertEquals(0, localContainers(), "the container is removed");
                }
            } finally {
                Docker.capture(List.of("docker", "rmi", tag), null);
            }
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
        String tag = "hangar-it-cogcli-test/native:1";
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
