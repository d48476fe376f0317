package dev.hangar.e2e.cog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.contracts.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Cog loop as a new user walks it, with bin/hangar against the running stack: {@code init} in
 * an empty folder, edit the predictor, {@code build}, {@code run -i}, {@code serve} + HTTP,
 * {@code push} (twice: the second is a no-op), then {@code run --ref} through Kafka and the executor.
 * The project builds on a runtime base made from this tree's runtime/ (a test tag), so the test
 * checks the runtime it ships with.
 */
class CogLoopIT {
    static final Path ROOT = Path.of(System.getProperty("hangar.root", "..")).toAbsolutePath().normalize();
    /** This run's own base tag: another checkout's suite may run on the same engine at the same time. */
    static final String BASE = "hangar-it-cogloop-" + ProcessHandle.current().pid() + "/runtime-python:3.11";
    static final String PREDICTOR = """
            from cog import BasePredictor, Input


            class Predictor(BasePredictor):
                def setup(self) -> None:
                    print("warming up")

                def predict(self, text: str = Input(description="Text to shout"),
                            times: int = Input(description="How often", ge=1, le=5)) -> str:
                    return (text.upper() + "!") * times
            """;

    record Result(int exit, String out, String err) {}

    static Map<String, String> env() throws IOException {
        String token = System.getenv("HANGAR_TOKEN");
        if (token == null) {
            token = Files.readString(ROOT.resolve(".local/keys/local-token")).strip();
        }
        return Map.of("HANGAR_TOKEN", token, "HANGAR_RUNTIME_BASE", BASE);
    }

    static Result hangar(Path cwd, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/hangar").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        pb.environment().putAll(env());
        Process p = pb.start();
        p.getOutputStream().close();
        var err = new StringBuilder();
        Thread drain = Thread.ofVirtual().start(() -> {
            try {
                err.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // gone
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("bin/hangar " + String.join(" ", args) + " did not finish");
        }
        drain.join();
        return new Result(p.exitValue(), out, err.toString());
    }

    static int localContainers() throws Exception {
        Process p = new ProcessBuilder("docker", "ps", "-aq", "--filter", "label=dev.hangar.cli=local", "--filter", "ancestor=" + BASE)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return (int) out.lines().filter(l -> !l.isBlank()).count();
    }

    static void buildBase() throws Exception {
        Process tar = new ProcessBuilder("tar", "-C", ROOT.resolve("runtime").toString(), "-c", "--exclude=__pycache__",
                "Dockerfile", "python/hangar_runtime", "python/cog").start();
        byte[] context = tar.getInputStream().readAllBytes();
        assertEquals(0, tar.waitFor());
        ProcessBuilder pb = new ProcessBuilder("docker", "build", "-q", "--network", "host", "-t", BASE, "-").redirectErrorStream(true);
        pb.environment().put("DOCKER_BUILDKIT", "0");
        Process build = pb.start();
        try (var in = build.getOutputStream()) {
            in.write(context);
        }
        String out = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, build.waitFor(), out);
    }

    @Test
    void initBuildRunServePushAndRunThroughThePlatform(@TempDir Path tmp) throws Exception {
        buildBase();
        String name = "loop-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            loop(tmp, name);
        } finally {
            removeImages("hangar-" + name, "127.0.0.1:5000/e2e-cog/" + name);
            new ProcessBuilder("docker", "rmi", BASE).start().waitFor();
        }
    }

    /** This run's local tags (the registry keeps what was pushed: the pinned processor needs it). */
    static void removeImages(String... repositories) throws Exception {
        for (String repository : repositories) {
            Process list = new ProcessBuilder("docker", "images", "--format", "{{.Repository}}:{{.Tag}}", repository).start();
            List<String> tags = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            list.waitFor();
            for (String tag : tags) {
                new ProcessBuilder("docker", "rmi", tag).start().waitFor();
            }
        }
    }

    static void loop(Path tmp, String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));

        var init = hangar(dir, "init");
        assertEquals(0, init.exit(), init.err());
        assertTrue(Files.readString(dir.resolve("cog.yaml")).contains("predict: \"predict.py:Predictor\""));
        assertTrue(Files.readString(dir.resolve("predict.py")).contains("class Predictor(BasePredictor)"));

        Files.writeString(dir.resolve("predict.py"), PREDICTOR); // the user writes their model
        String image = "127.0.0.1:5000/e2e-cog/" + name;
        Files.writeString(dir.resolve("cog.yaml"), Files.readString(dir.resolve("cog.yaml")) + "image: \"" + image + "\"\n");

        var build = hangar(dir, "build");
        assertEquals(0, build.exit(), build.err());
        assertTrue(build.out().contains("hangar-" + name + ":latest"), build.out());

        var local = hangar(dir, "run", "-i", "text=hi", "-i", "times=2");
        assertEquals(0, local.exit(), local.err());
        assertEquals("HI!HI!", local.out().strip());
        assertTrue(local.err().contains("warming up"), "setup logs until READY:\n" + local.err());
        var refused = hangar(dir, "run", "-i", "text=hi", "-i", "times=2", "-i", "colour=red");
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("no input 'colour'"), refused.err());

        serve(dir);

        var push = hangar(dir, "push", image);
        assertEquals(0, push.exit(), push.err());
        String ref = "e2e-cog/" + name + "@1";
        assertTrue(push.out().contains("pushed " + ref), push.out());
        var again = hangar(dir, "push"); // cog.yaml's image: names the same
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("unchanged: " + ref), again.out());

        var processor = hangar(dir, "processors", "get", ref, "--json");
        assertEquals(0, processor.exit(), processor.err());
        JsonNode schema = Json.MAPPER.readTree(processor.out()).path("inputs_schema");
        assertEquals("[\"text\",\"times\"]", schema.path("required").toString(), "the derived Input schema: " + schema);

        Path saved = tmp.resolve("output.json");
        var remote = hangar(tmp, "run", "--ref", ref, "-i", "text=kafka", "-i", "times=3", "--save-first", saved.toString(), "--json");
        assertEquals(0, remote.exit(), remote.out() + remote.err());
        assertEquals("success", Json.MAPPER.readTree(remote.out()).path("status").asText(), remote.out());
        assertEquals("KAFKA!KAFKA!KAFKA!", Json.MAPPER.readTree(Files.readString(saved)).asText());

        var bad = hangar(tmp, "run", "--ref", ref, "-i", "text=kafka", "-i", "times=9", "--json");
        assertEquals(1, bad.exit(), "the gateway checks the derived schema: times <= 5\n" + bad.out());
        assertEquals("ERR_INPUT_INVALID", Json.MAPPER.readTree(bad.out()).at("/error/code").asText(), bad.out());

        // a local change, built and recorded: `run --ref ... --build` runs it instead of the pin
        Files.writeString(dir.resolve("predict.py"), PREDICTOR.replace("\"!\"", "\"?\""));
        var rebuilt = hangar(dir, "build");
        assertEquals(0, rebuilt.exit(), rebuilt.err());
        assertTrue(rebuilt.out().contains("recorded for the platform: hangar run --ref " + ref + " --build"), rebuilt.out());
        Path built = tmp.resolve("local.json");
        var withBuild = hangar(tmp, "run", "--ref", ref, "--build", "-i", "text=a", "-i", "times=2", "--save-first", built.toString(),
                "--json");
        assertEquals(0, withBuild.exit(), withBuild.out() + withBuild.err());
        assertEquals("A?A?", Json.MAPPER.readTree(Files.readString(built)).asText());
    }

    /** {@code hangar serve -p 0} in the background, used over HTTP, then interrupted. */
    static void serve(Path dir) throws Exception {
        List<String> command = List.of(ROOT.resolve("bin/hangar").toString(), "serve", "-p", "0");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().putAll(env());
        Process serve = pb.start();
        try {
            var err = new BufferedReader(new InputStreamReader(serve.getErrorStream(), StandardCharsets.UTF_8));
            Pattern listening = Pattern.compile("on (http://127\\.0\\.0\\.1:\\d+) ");
            String base = null;
            var seen = new StringBuilder();
            for (String line; base == null && (line = err.readLine()) != null; ) {
                seen.append(line).append('\n');
                Matcher m = listening.matcher(line);
                if (m.find()) {
                    base = m.group(1);
                }
            }
            assertTrue(base != null, "serve did not start:\n" + seen);
            Thread.ofVirtual().start(() -> err.lines().forEach(l -> { })); // keep its stderr drained
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            var prediction = http.send(HttpRequest.newBuilder(URI.create(base + "/predictions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"input\":{\"text\":\"curl\",\"times\":1}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, prediction.statusCode(), prediction.body());
            assertEquals("CURL!", Json.MAPPER.readTree(prediction.body()).path("output").asText(), prediction.body());
            var openapi = http.send(HttpRequest.newBuilder(URI.create(base + "/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("Text to shout", Json.MAPPER.readTree(openapi.body()).at("/components/schemas/Input/properties/text/description")
                    .asText(), openapi.body());
            var docs = http.send(HttpRequest.newBuilder(URI.create(base + "/docs")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, docs.statusCode());
            assertTrue(docs.body().contains("<div id=\"swagger-ui\">"), docs.body()); // Swagger UI, from the CLI
            var init = http.send(HttpRequest.newBuilder(URI.create(base + "/docs/swagger-initializer.js")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(init.body().contains("/openapi.json"), init.body());
        } finally {
            serve.destroy(); // SIGTERM, as Ctrl-C: the shutdown hook removes the container
            assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "serve stops when interrupted");
        }
        assertEquals(0, localContainers(), "serve removed its container");
    }
}
