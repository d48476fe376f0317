package dev.hangar.cli.cog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.cli.error.CliError;
import dev.hangar.contracts.ErrorCode;
import dev.hangar.contracts.Json;
import dev.hangar.contracts.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A Cog project's {@code cog.yaml}, read as Cog documents it (replicate/cog docs/yaml.md), so an
 * existing Cog project builds unchanged. Every mistake is refused with the field's name and what
 * to write instead; keys Cog does not define are refused too (a typo must not be ignored).
 *
 * @param build       the {@code build} stanza
 * @param predict     the predictor ({@code predict:} or its newer name {@code run:}), {@code file.py:Class}
 * @param train       the training entry point, {@code file.py:function_or_class}, or null
 * @param image       the image name {@code cog push} pushes to, or null
 * @param concurrency {@code concurrency.max}: predictions one container runs at once (1 when absent)
 * @param environment {@code NAME=value} entries set in the image
 * @param json        the whole file as JSON (the {@code run.cog.config} label)
 */
public record CogConfig(Build build, String predict, String train, String image, int concurrency,
                        List<String> environment, ObjectNode json) {
    public static final String NAME = "cog.yaml";
    /** The Python versions this installation has a base image for. */
    public static final List<String> PYTHON_VERSIONS = List.of("3.11");
    static final Pattern REF = Pattern.compile("[A-Za-z0-9_./-]+\\.py:[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*", Pattern.DOTALL);
    private static final Pattern PYTHON = Pattern.compile("3\\.\\d+(\\.\\d+)?");
    private static final Set<String> TOP = Set.of("build", "predict", "run", "train", "image", "concurrency", "environment",
            "weights", "tests");
    private static final Set<String> BUILD = Set.of("python_version", "python_packages", "python_requirements",
            "system_packages", "run", "gpu", "cuda", "cudnn", "cog_runtime", "sdk_version");

    /**
     * The {@code build} stanza.
     *
     * @param pythonVersion      {@code 3.11} or {@code 3.11.x}
     * @param gpu                whether the model needs a GPU (a CUDA base image)
     * @param cuda               the CUDA version asked for, or null (chosen from the table)
     * @param systemPackages     Debian packages, installed with apt-get
     * @param pythonPackages     pip requirement specifiers
     * @param pythonRequirements a requirements file relative to the project, or null
     * @param run                shell commands run as root at the end of the build
     */
    public record Build(String pythonVersion, boolean gpu, String cuda, List<String> systemPackages,
                        List<String> pythonPackages, String pythonRequirements, List<String> run) {
        /** Whether pip is needed in the image. */
        public boolean needsPip() {
            return !pythonPackages.isEmpty() || pythonRequirements != null;
        }
    }

    /** Reads and validates {@code dir/cog.yaml}. */
    public static CogConfig read(Path dir) {
        Path file = dir.resolve(NAME);
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new CliError(ErrorCode.ERR_SPEC_INVALID, "no " + NAME + " in " + dir.toAbsolutePath().normalize()
                    + " (run `hangar init` to start a project)");
        } catch (IOException e) {
            throw new CliError(ErrorCode.ERR_SPEC_INVALID, "cannot read " + file + ": " + e.getMessage(), e);
        }
        CogConfig config = parse(text, file.toString());
        config.requireFiles(dir);
        return config;
    }

    /** Parses the text of a {@code cog.yaml}; {@code where} names it in messages. */
    public static CogConfig parse(String text, String where) {
        JsonNode root;
        try {
            root = Json.YAML.readTree(text);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new CliError(ErrorCode.ERR_SPEC_INVALID, where + (loc == null ? "" : " line " + loc.getLineNr())
                    + ": not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw invalid(where, "/", "is empty; it needs at least `predict: \"predict.py:Predictor\"`");
        }
        if (!root.isObject()) {
            throw invalid(where, "/", "must be a mapping (build:, predict:, ...)");
        }
        unknownKeys(where, "", root, TOP);
        JsonNode b = root.path("build");
        if (!b.isMissingNode() && !b.isNull() && !b.isObject()) {
            throw invalid(where, "/build", "must be a mapping (python_version:, python_packages:, ...)");
        }
        if (b.isObject()) {
            unknownKeys(where, "build.", b, BUILD);
        }
        String python = text(where, b, "python_version", "build.python_version");
        if (python == null) {
            python = PYTHON_VERSIONS.getFirst();
        } else if (!PYTHON.matcher(python).matches()) {
            throw invalid(where, "/build/python_version", "must be a version like \"3.11\" or \"3.11.4\", got '" + python + "'");
        } else {
            String minor = python.split("\\.")[0] + "." + python.split("\\.")[1];
            if (!PYTHON_VERSIONS.contains(minor)) {
                throw invalid(where, "/build/python_version", "Python " + python + " is not available on this installation; "
                        + "the builder has a base image for Python " + String.join(", ", PYTHON_VERSIONS)
                        + " only (write python_version: \"" + PYTHON_VERSIONS.getFirst() + "\")");
            }
        }
        boolean gpu = false;
        if (b.has("gpu") && !b.get("gpu").isNull()) {
            if (!b.get("gpu").isBoolean()) {
                throw invalid(where, "/build/gpu", "must be true or false");
            }
            gpu = b.get("gpu").asBoolean();
        }
        String cuda = text(where, b, "cuda", "build.cuda");
        if (cuda != null && !cuda.matches("\\d+\\.\\d+(\\.\\d+)?")) {
            throw invalid(where, "/build/cuda", "must be a version like \"12.1\", got '" + cuda + "'");
        }
        List<String> system = strings(where, b, "system_packages", "build.system_packages");
        for (String p : system) {
            if (!p.matches("[a-z0-9][a-z0-9+.:=~-]*")) {
                throw invalid(where, "/build/system_packages", "'" + p + "' is not a Debian package name (apt-get install NAME[=VERSION])");
            }
        }
        List<String> pip = strings(where, b, "python_packages", "build.python_packages");
        for (String p : pip) {
            if (p.isBlank() || p.startsWith("-") || p.contains("\n")) {
                throw invalid(where, "/build/python_packages", "'" + p + "' is not a pip requirement (name==version); "
                        + "options go in a requirements file");
            }
        }
        String requirements = text(where, b, "python_requirements", "build.python_requirements");
        if (requirements != null && !pip.isEmpty()) {
            throw invalid(where, "/build/python_requirements", "cannot be used together with build.python_packages; keep one");
        }
        if (requirements != null && (requirements.startsWith("/") || requirements.contains(".."))) {
            throw invalid(where, "/build/python_requirements", "must be a path inside the project, got '" + requirements + "'");
        }
        List<String> run = runCommands(where, b.path("run"));
        String predict = text(where, root, "predict", "predict");
        String runRef = text(where, root, "run", "run");
        if (predict != null && runRef != null) {
            throw invalid(where, "/run", "predict and run name the same thing (run is the newer name); keep one");
        }
        predict = predict != null ? predict : runRef;
        if (predict == null) {
            throw invalid(where, "/predict", "is missing: name the predictor, e.g. predict: \"predict.py:Predictor\"");
        }
        ref(where, predict, predict.equals(runRef) ? "run" : "predict");
        String train = text(where, root, "train", "train");
        if (train != null) {
            ref(where, train, "train");
        }
        String image = text(where, root, "image", "image");
        int concurrency = 1;
        JsonNode c = root.path("concurrency");
        if (!c.isMissingNode() && !c.isNull()) {
            if (!c.isObject()) {
                throw invalid(where, "/concurrency", "must be a mapping (max: 4)");
            }
            unknownKeys(where, "concurrency.", c, Set.of("max"));
            JsonNode max = c.path("max");
            if (!max.isMissingNode() && (!max.canConvertToInt() || !max.isIntegralNumber() || max.asInt() < 1 || max.asInt() > 64)) {
                throw invalid(where, "/concurrency/max", "must be a whole number from 1 to 64, got " + max);
            }
            concurrency = max.isMissingNode() ? 1 : max.asInt();
        }
        List<String> environment = strings(where, root, "environment", "environment");
        for (String e : environment) {
            if (!ENV.matcher(e).matches()) {
                throw invalid(where, "/environment", "'" + e + "' must be NAME=value");
            }
        }
        Build build = new Build(python, gpu, cuda, system, pip, requirements, run);
        return new CogConfig(build, predict, train, image, concurrency, environment, (ObjectNode) root);
    }

    /** The project files the config names must exist: refused before a long build, naming the file. */
    void requireFiles(Path dir) {
        requireEntry(dir, predict, json.has("run") ? "run" : "predict");
        if (train != null) {
            requireEntry(dir, train, "train");
        }
        if (build.pythonRequirements() != null && !Files.isRegularFile(dir.resolve(build.pythonRequirements()))) {
            throw invalid(NAME, "/build/python_requirements", "names " + build.pythonRequirements() + ", which is not a file in "
                    + dir.toAbsolutePath().normalize());
        }
    }

    private static void requireEntry(Path dir, String ref, String field) {
        String file = ref.substring(0, ref.indexOf(':'));
        String name = ref.substring(ref.indexOf(':') + 1);
        Path path = dir.resolve(file);
        if (!Files.isRegularFile(path)) {
            throw invalid(NAME, "/" + field, "names " + file + ", which is not a file in " + dir.toAbsolutePath().normalize());
        }
        String source;
        try {
            source = Files.readString(path);
        } catch (IOException e) {
            throw invalid(NAME, "/" + field, "cannot read " + file + ": " + e.getMessage());
        }
        // A quick look before a long build; the signature step in the image is the real check.
        Pattern defined = Pattern.compile("(?m)^(class|def|async def)\\s+" + Pattern.quote(name) + "\\b|^" + Pattern.quote(name) + "\\s*=");
        if (!defined.matcher(source).find()) {
            throw invalid(NAME, "/" + field, file + " defines no class or function " + name + " (" + field + ": \"" + ref + "\")");
        }
    }

    /** The predictor's file and class: {@code predict.py} and {@code Predictor}. */
    public String predictFile() {
        return predict.substring(0, predict.indexOf(':'));
    }

    /** The project's name for local tags: the folder's, lower-cased to what Docker accepts. */
    public static String projectName(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        String n = (name == null ? "model" : name.toString()).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-")
                .replaceAll("^[^a-z0-9]+", "");
        return n.isEmpty() ? "model" : n.length() > 100 ? n.substring(0, 100) : n;
    }

    private static void ref(String where, String ref, String field) {
        if (!REF.matcher(ref).matches() || ref.startsWith("/") || ref.contains("..")) {
            throw invalid(where, "/" + field, "must be file.py:Name inside the project, e.g. \"predict.py:Predictor\", got '" + ref + "'");
        }
    }

    private static List<String> runCommands(String where, JsonNode run) {
        List<String> commands = new ArrayList<>();
        if (run.isMissingNode() || run.isNull()) {
            return commands;
        }
        if (!run.isArray()) {
            throw invalid(where, "/build/run", "must be a list of commands (strings or {command: ...})");
        }
        for (int i = 0; i < run.size(); i++) {
            JsonNode item = run.get(i);
            String command;
            if (item.isTextual()) {
                command = item.asText();
            } else if (item.isObject() && item.path("command").isTextual()) {
                unknownKeys(where, "build.run[" + i + "].", item, Set.of("command", "mounts"));
                if (item.has("mounts")) {
                    throw invalid(where, "/build/run/" + i + "/mounts", "secret mounts need BuildKit, which this builder "
                            + "does not use; pass what the command needs another way");
                }
                command = item.get("command").asText();
            } else {
                throw invalid(where, "/build/run/" + i, "must be a string or {command: \"...\"}");
            }
            if (command.isBlank()) {
                throw invalid(where, "/build/run/" + i, "is an empty command");
            }
            commands.add(command);
        }
        return commands;
    }

    private static String text(String where, JsonNode node, String key, String shown) {
        JsonNode v = node.path(key);
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (v.isTextual() || v.isNumber()) { // python_version: 3.11 unquoted is a number in YAML
            String s = v.isTextual() ? v.asText() : v.asText();
            if (s.isBlank()) {
                throw invalid(where, "/" + shown.replace('.', '/'), "is empty");
            }
            return s.strip();
        }
        throw invalid(where, "/" + shown.replace('.', '/'), "must be a string");
    }

    private static List<String> strings(String where, JsonNode node, String key, String shown) {
        JsonNode v = node.path(key);
        List<String> out = new ArrayList<>();
        if (v.isMissingNode() || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw invalid(where, "/" + shown.replace('.', '/'), "must be a list of strings");
        }
        for (JsonNode item : v) {
            if (!item.isTextual() && !item.isNumber()) {
                throw invalid(where, "/" + shown.replace('.', '/'), "must be a list of strings, got " + item);
            }
            out.add(item.asText().strip());
        }
        return out;
    }

    private static void unknownKeys(String where, String prefix, JsonNode node, Set<String> allowed) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            String key = it.next().getKey();
            if (!allowed.contains(key)) {
                throw invalid(where, "/" + (prefix + key).replace('.', '/'), "unknown key '" + prefix + key + "' (allowed here: "
                        + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
        }
    }

    static CliError invalid(String where, String pointer, String why) {
        String field = pointer.equals("/") ? "" : " " + pointer.substring(1).replace('/', '.');
        return new CliError(ErrorCode.ERR_SPEC_INVALID, where + ":" + field + " " + why,
                List.of(new Problem.FieldError(pointer, why)));
    }
}
