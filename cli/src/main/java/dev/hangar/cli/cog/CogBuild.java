package dev.hangar.cli.cog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.PosixFilePermission;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Builds a Cog project's image on the local engine, as {@code cog build} does: a Dockerfile
 * generated from {@code cog.yaml} on Hangar's runtime base, then the schema derived from the
 * predictor's signature inside the built image (no network), then Cog's {@code run.cog.*} labels.
 *
 * <p>The build context is a folder made for the build ({@code src/} the project, {@code weights/}
 * with {@code --separate-weights}, {@code wheels/} a local wheel folder, {@code requirements.txt}),
 * so the generated Dockerfile controls every layer and nothing is written into the project.
 */
public final class CogBuild {
    /** The runtime base for CPU images; {@code HANGAR_RUNTIME_BASE} overrides it (tests, mirrors). */
    public static final String DEFAULT_BASE = "127.0.0.1:5000/hangar/runtime-python:3.11";
    /**
     * CUDA version → base image for GPU projects. None is built on this installation; a GPU
     * project is refused naming the base it needs.
     */
    public static final Map<String, String> CUDA_BASES = cudaBases();
    public static final String DEFAULT_CUDA = "12.1";
    /** The folder {@code --separate-weights} puts in its own layer. */
    public static final String WEIGHTS_DIR = "weights";
    /** The Cog version the labels claim compatibility with (Cog tooling reads run.cog.version). */
    public static final String COG_VERSION = "0.14.0+hangar";
    /** Label with the id of the unlabelled image a labelled one was made from: an unchanged build reuses it. */
    public static final String SOURCE_LABEL = "dev.hangar.cog.source";
    /** The predefined build arg that carries $PIP_INDEX_URL (see {@link #dockerfile}). */
    static final String INDEX_ARG = "ftp_proxy";
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
    private static final Set<String> ALWAYS_IGNORED = Set.of(".git", ".hg", ".svn", "__pycache__", ".cog", ".hangar");

    /**
     * How to build.
     *
     * @param tag             the image name to tag, or null for {@code hangar-<project>:<time>} and {@code :latest}
     * @param noCache         pass {@code --no-cache}
     * @param separateWeights put {@code weights/} in its own layer before the code
     * @param wheels          a local folder of wheels pip installs from (no index), or null
     * @param pipIndexUrl     the index pip uses, or null
     * @param base            the CPU base image
     */
    public record Options(String tag, boolean noCache, boolean separateWeights, Path wheels, String pipIndexUrl, String base) {
        public static Options defaults() {
            return new Options(null, false, false, envPath("HANGAR_PIP_WHEELS"), System.getenv("PIP_INDEX_URL"), base(null));
        }

        public static String base(String option) {
            if (option != null) {
                return option;
            }
            String env = System.getProperty("hangar.runtime.base", System.getenv("HANGAR_RUNTIME_BASE"));
            return env == null || env.isBlank() ? DEFAULT_BASE : env;
        }

        static Path envPath(String name) {
            String v = System.getenv(name);
            return v == null || v.isBlank() ? null : Path.of(v);
        }
    }

    /**
     * A built image.
     *
     * @param image   the image id ({@code sha256:...})
     * @param tags    the tags it got
     * @param schema  the OpenAPI document derived from the predictor
     * @param reused  true when nothing changed since the last build (no new tag was added)
     */
    public record Built(String image, List<String> tags, JsonNode schema, boolean reused) {
        public String tag() {
            return tags.getFirst();
        }
    }

    private CogBuild() {}

    /** The base image the config builds on (a GPU config names a CUDA base from the table). */
    public static String baseImage(CogConfig config, Options options) {
        if (!config.build().gpu()) {
            return options.base();
        }
        String cuda = config.build().cuda() == null ? DEFAULT_CUDA : minor(config.build().cuda());
        String base = CUDA_BASES.get(cuda);
        if (base == null) {
            throw CogConfig.invalid(CogConfig.NAME, "/build/cuda", "CUDA " + config.build().cuda() + " is not in the "
                    + "compatibility table (" + String.join(", ", CUDA_BASES.keySet()) + "); see docs/cli.md");
        }
        return base;
    }

    /** The Dockerfile for this config; {@code hangar build --dockerfile} prints it. */
    public static String dockerfile(CogConfig config, Options options, boolean hasWeights) {
        var b = config.build();
        var d = new StringBuilder();
        d.append("# Generated by `hangar build` from cog.yaml (`hangar build --dockerfile` prints it).\n");
        d.append("FROM ").append(baseImage(config, options)).append('\n');
        d.append("USER root\n");
        List<String> apt = new ArrayList<>(b.systemPackages());
        if (b.needsPip()) {
            apt.add("python3-pip"); // pip is not in the base: only images that need it carry it
        }
        if (!apt.isEmpty()) {
            d.append("RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ")
                    .append(String.join(" ", apt)).append(" && rm -rf /var/lib/apt/lists/*\n");
        }
        if (b.needsPip()) {
            d.append("COPY requirements.txt /tmp/hangar-build/requirements.txt\n");
            String source;
            if (options.wheels() != null) {
                d.append("COPY wheels/ /tmp/hangar-build/wheels/\n");
                source = "--no-index --find-links /tmp/hangar-build/wheels ";
            } else {
                // $PIP_INDEX_URL arrives as ftp_proxy, one of Docker's predefined build args: the engine keeps those out
                // of the image's history and its cache key, so an index URL with credentials is not pushed with the image.
                d.append("# PIP_INDEX_URL comes in as the predefined build arg ftp_proxy (kept out of `docker history`)\n");
                source = "";
            }
            d.append("RUN ").append(options.wheels() != null ? ""
                            : "if [ -n \"${ftp_proxy:-}\" ]; then export PIP_INDEX_URL=\"$ftp_proxy\"; fi; unset ftp_proxy; ")
                    .append("python3 -m pip install --no-cache-dir --disable-pip-version-check --break-system-packages ")
                    .append(source).append("-r /tmp/hangar-build/requirements.txt\n");
        }
        for (String command : b.run()) {
            d.append("RUN ").append(command.strip().replace("\n", " \\\n    ")).append('\n');
        }
        if (options.separateWeights() && hasWeights) {
            d.append("# the weights' own layer: a code change leaves it (and its digest) unchanged\n");
            d.append("COPY weights/ /src/").append(WEIGHTS_DIR).append("/\n");
        }
        d.append("COPY src/ /src/\n");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HANGAR_PREDICTOR", "/src/" + config.predict());
        if (config.train() != null) {
            env.put("HANGAR_TRAINER", "/src/" + config.train());
        }
        if (config.concurrency() > 1) {
            env.put("COG_MAX_CONCURRENCY", String.valueOf(config.concurrency()));
        }
        for (String e : config.environment()) {
            int eq = e.indexOf('=');
            env.put(e.substring(0, eq), e.substring(eq + 1));
        }
        env.forEach((k, v) -> d.append("ENV ").append(k).append('=').append(quote(v)).append('\n'));
        d.append("USER 10001:10001\n");
        d.append("WORKDIR /src\n");
        return d.toString();
    }

    /**
     * Builds, derives the schema and labels the image. {@code log} gets docker's output lines as
     * they come; {@code say} the steps.
     */
    public static Built build(Path dir, CogConfig config, Options options, Consumer<String> log, PrintWriter say) {
        String base = baseImage(config, options);
        requireBase(base, config);
        String project = CogConfig.projectName(dir);
        Path context = null;
        String stage = "hangar-build-" + project + ":stage";
        try {
            context = Files.createTempDirectory("hangar-build-");
            boolean hasWeights = prepare(dir, config, options, context);
            Files.writeString(context.resolve("Dockerfile"), dockerfile(config, options, hasWeights));
            List<String> cmd = new ArrayList<>(List.of("docker", "build", "--network", "host", "-t", stage));
            if (options.noCache()) {
                cmd.add("--no-cache");
            }
            if (options.pipIndexUrl() != null && options.wheels() == null) {
                cmd.addAll(List.of("--build-arg", INDEX_ARG + "=" + options.pipIndexUrl()));
            }
            cmd.add(context.toString());
            say(say, "building " + project + " (from " + base + ")");
            Docker.stream(cmd, Map.of("DOCKER_BUILDKIT", "0"), log, "docker build");
            String stageId = Docker.inspect(stage, "{{.Id}}");
            String latest = options.tag() != null ? options.tag() : "hangar-" + project + ":latest";
            String previous = Docker.inspect(latest, "{{index .Config.Labels \"" + SOURCE_LABEL + "\"}}");
            if (stageId.equals(previous)) {
                String id = Docker.inspect(latest, "{{.Id}}");
                String schema = Docker.inspect(latest, "{{index .Config.Labels \"run.cog.openapi_schema\"}}");
                return new Built(id, List.of(latest), Json.MAPPER.readTree(schema), true);
            }
            say(say, "deriving the schema from " + config.predict());
            JsonNode schema = schema(stage, config);
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("run.cog.version", COG_VERSION);
            labels.put("run.cog.config", Json.MAPPER.writeValueAsString(config.json()));
            labels.put("run.cog.openapi_schema", Json.MAPPER.writeValueAsString(schema));
            labels.put("run.cog.has_init", "true");
            labels.put(SOURCE_LABEL, stageId);
            if (config.build().needsPip()) {
                labels.put("run.cog.pip_freeze", pipFreeze(stage));
            }
            List<String> tags = new ArrayList<>();
            if (options.tag() != null) {
                tags.add(options.tag());
            } else {
                tags.add("hangar-" + project + ":" + STAMP.format(ZonedDateTime.now(ZoneOffset.UTC)));
                tags.add(latest);
            }
            label(stageId, labels, tags);
            return new Built(Docker.inspect(tags.getFirst(), "{{.Id}}"), tags, schema, false);
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_UNAVAILABLE, "cannot prepare the build of " + dir + ": " + e.getMessage(), e);
        } finally {
            if (context != null) {
                delete(context);
            }
            // untag only: a labelled image keeps it as its parent, and the engine's cache keeps its layers
            Docker.capture(List.of("docker", "rmi", "--no-prune", stage), null);
        }
    }

    /** The newest image built for this project folder, or null. */
    public static String latest(Path dir) {
        String tag = "hangar-" + CogConfig.projectName(dir) + ":latest";
        return Docker.inspect(tag, "{{.Id}}") == null ? null : tag;
    }

    /** The schema label of an image, or null when it has none (not built by a Cog builder). */
    public static JsonNode schemaOf(String image) {
        String s = Docker.inspect(image, "{{index .Config.Labels \"run.cog.openapi_schema\"}}");
        if (s == null || s.isBlank() || s.equals("<no value>")) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(s);
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_SPEC_INVALID, image + " has a run.cog.openapi_schema label that is not JSON");
        }
    }

    private static void requireBase(String base, CogConfig config) {
        if (Docker.inspect(base, "{{.Id}}") != null) {
            return;
        }
        if (!config.build().gpu() && base.startsWith("127.0.0.1:")) {
            Docker.Result pull = Docker.capture(List.of("docker", "pull", "-q", base), null);
            if (pull.exit() == 0) {
                return;
            }
        }
        String why = config.build().gpu()
                ? "build.gpu is true, and GPU images build on a CUDA base; " + base + " (for CUDA "
                  + (config.build().cuda() == null ? DEFAULT_CUDA : config.build().cuda()) + ") is missing on this installation. "
                  + "Build that base first (docs/cli.md lists the table), or set gpu: false"
                : "the runtime base image " + base + " is missing; build it (bin/stack builds it, or see runtime/README.md) "
                  + "or set HANGAR_RUNTIME_BASE";
        throw new CliError(ErrorCode.ERR_UNAVAILABLE, why);
    }

    private static JsonNode schema(String image, CogConfig config) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("docker", "run", "--rm", "--network", "none", "--read-only",
                "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--user", "10001:10001", "--tmpfs", "/tmp",
                "--entrypoint", "python3", image, "-m", "hangar_runtime.signature", "--predict", config.predict()));
        if (config.train() != null) {
            cmd.addAll(List.of("--train", config.train()));
        }
        Docker.Result r = Docker.capture(cmd, null);
        if (r.exit() != 0) {
            String why = r.err().strip();
            if (why.contains("No module named hangar_runtime.signature")) {
                why = "the base image's runtime cannot derive schemas (" + why + "); rebuild the runtime base";
            }
            throw new CliError(ErrorCode.ERR_SPEC_INVALID, config.predict() + ": " + lastLine(why));
        }
        return Json.MAPPER.readTree(r.out());
    }

    private static String pipFreeze(String image) {
        Docker.Result r = Docker.capture(List.of("docker", "run", "--rm", "--network", "none", "--user", "10001:10001",
                "--entrypoint", "python3", image, "-m", "pip", "freeze", "--disable-pip-version-check"), null);
        return r.exit() == 0 ? r.out().strip() : "";
    }

    private static void label(String from, Map<String, String> labels, List<String> tags) {
        List<String> cmd = new ArrayList<>(List.of("docker", "build", "--network", "none"));
        labels.forEach((k, v) -> cmd.addAll(List.of("--label", k + "=" + v)));
        tags.forEach(t -> cmd.addAll(List.of("-t", t)));
        cmd.add("-");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("DOCKER_BUILDKIT", "0");
        Docker.Result r = captureWithEnv(cmd, ("FROM " + from + "\n").getBytes(StandardCharsets.UTF_8));
        if (r.exit() != 0) {
            throw new CliError(ErrorCode.ERR_UNAVAILABLE, "labelling the image failed: " + r.err().strip() + r.out().strip());
        }
    }

    private static Docker.Result captureWithEnv(List<String> cmd, byte[] input) {
        List<String> withEnv = new ArrayList<>(List.of("env", "DOCKER_BUILDKIT=0"));
        withEnv.addAll(cmd);
        return Docker.capture(withEnv, input);
    }

    /** Fills the context folder; returns whether the project has weights put in their own layer. */
    static boolean prepare(Path dir, CogConfig config, Options options, Path context) throws IOException {
        List<PathMatcher> ignored = ignoreRules(dir);
        boolean weights = options.separateWeights() && Files.isDirectory(dir.resolve(WEIGHTS_DIR));
        Path src = Files.createDirectories(context.resolve("src"));
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                Path rel = dir.relativize(p);
                if (rel.toString().isEmpty() || skip(rel, ignored)) {
                    continue;
                }
                boolean isWeights = weights && rel.getName(0).toString().equals(WEIGHTS_DIR);
                Path target = isWeights ? context.resolve(rel) : src.resolve(rel);
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (Files.isRegularFile(p)) {
                    Files.createDirectories(target.getParent());
                    place(p, target);
                }
            }
        }
        if (config.build().needsPip()) {
            Path req = context.resolve("requirements.txt");
            if (config.build().pythonRequirements() != null) {
                Files.copy(dir.resolve(config.build().pythonRequirements()), req);
            } else {
                Files.writeString(req, String.join("\n", config.build().pythonPackages()) + "\n");
            }
            if (options.wheels() != null) {
                if (!Files.isDirectory(options.wheels())) {
                    throw new CliError(ErrorCode.ERR_OPTION_INVALID, "the wheel folder " + options.wheels() + " (HANGAR_PIP_WHEELS "
                            + "or --pip-wheels) is not a folder");
                }
                Path wheels = Files.createDirectories(context.resolve("wheels"));
                try (Stream<Path> list = Files.list(options.wheels())) {
                    for (Path w : (Iterable<Path>) list::iterator) {
                        if (Files.isRegularFile(w)) {
                            place(w, wheels.resolve(w.getFileName()));
                        }
                    }
                }
            }
        }
        return weights;
    }

    /** A hard link when the file is readable by everyone (fast for weights), else a readable copy. */
    private static void place(Path from, Path to) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(from);
        if (perms.contains(PosixFilePermission.OTHERS_READ)) {
            try {
                Files.createLink(to, from);
                return;
            } catch (IOException | UnsupportedOperationException e) {
                // another file system: copy
            }
        }
        Files.copy(from, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        var readable = new java.util.HashSet<>(Files.getPosixFilePermissions(to));
        readable.add(PosixFilePermission.OTHERS_READ);
        readable.add(PosixFilePermission.GROUP_READ);
        Files.setPosixFilePermissions(to, readable);
    }

    /** {@code .cogignore} and {@code .dockerignore} lines as globs relative to the project (Cog honours .dockerignore). */
    static List<PathMatcher> ignoreRules(Path dir) throws IOException {
        List<PathMatcher> rules = new ArrayList<>();
        for (String name : List.of(".dockerignore", ".cogignore")) {
            Path f = dir.resolve(name);
            if (Files.isRegularFile(f)) {
                for (String line : Files.readAllLines(f)) {
                    String l = line.strip();
                    if (l.isEmpty() || l.startsWith("#") || l.startsWith("!")) {
                        continue;
                    }
                    l = l.replaceAll("^/+", "").replaceAll("/+$", "");
                    rules.add(FileSystems.getDefault().getPathMatcher("glob:" + l));
                }
            }
        }
        return rules;
    }

    private static boolean skip(Path rel, List<PathMatcher> rules) {
        for (Path part : rel) {
            if (ALWAYS_IGNORED.contains(part.toString())) {
                return true;
            }
        }
        for (int i = 1; i <= rel.getNameCount(); i++) {
            Path prefix = rel.subpath(0, i);
            for (PathMatcher m : rules) {
                if (m.matches(prefix)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String quote(String v) {
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("\n", "\\n") + "\"";
    }

    private static String minor(String version) {
        String[] p = version.split("\\.");
        return p[0] + "." + p[1];
    }

    private static String lastLine(String text) {
        String[] lines = text.split("\n");
        return lines[lines.length - 1];
    }

    private static void say(PrintWriter say, String what) {
        if (say != null) {
            say.println(what);
            say.flush();
        }
    }

    private static Map<String, String> cudaBases() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String cuda : List.of("11.8", "12.1", "12.4")) {
            m.put(cuda, "127.0.0.1:5000/hangar/runtime-cuda:" + cuda + "-python3.11");
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    static void delete(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a temp folder left behind is not worth failing the build
        }
    }
}
